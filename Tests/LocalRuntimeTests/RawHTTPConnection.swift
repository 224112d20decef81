import Foundation

/// A bare TCP connection for what an HTTP client library hides: interim `100 Continue` responses, trickled
/// headers and bodies, malformed framing. Its reads block, so they run on a thread of their own: on the 2-core
/// machines two tests blocked in `recv` on Swift's cooperative threads starved the server they waited for.
final class RawHTTPConnection: @unchecked Sendable {
    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 30, tv_usec: 0)  // a cold worker on a busy machine
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(fd) }

    func send(_ data: Data) {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return }
                offset += sent
            }
        }
    }

    /// Sends FIN: the client has nothing more to send, and may still read the answer.
    func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads until `marker` has arrived, the connection closes or the 30 s receive timeout passes; returns all
    /// that was read. Blocks a thread of its own, never one of the test's.
    func read(until marker: String) async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: self.blockingRead(until: marker)) }
        }
    }

    /// Sends `data` a byte every `interval` until it is all sent or `limit` has passed, then reads what the
    /// server answers until it closes. Returns the answer and how long after the first byte the server answered
    /// (its first byte readable, or its close), else when the sending and the read ended, both measured on a
    /// thread of its own, so that a test pool busy with other tests does not stretch the figure.
    func trickle(_ data: Data, every interval: Duration, for limit: Duration) async -> (answer: String, closedAfter: Duration) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let started = ContinuousClock.now
                var answered: Duration?
                for byte in data where ContinuousClock.now - started < limit {
                    let sent = [byte].withUnsafeBytes { Glibc.send(self.fd, $0.baseAddress!, 1, Int32(MSG_NOSIGNAL)) }
                    if sent <= 0 { break }  // closed by the server
                    Thread.sleep(forTimeInterval: Double(interval.components.attoseconds) / 1e18 + Double(interval.components.seconds))
                    // The server has answered (or closed): when, as the server decided it, not when a later send
                    // of ours happens to fail (which takes a reset, and longer on a loaded machine).
                    var ready = pollfd(fd: self.fd, events: Int16(POLLIN), revents: 0)
                    if poll(&ready, 1, 0) > 0 {
                        answered = ContinuousClock.now - started
                        break
                    }
                }
                let answer = self.blockingRead(until: "\u{0}never\u{0}")
                continuation.resume(returning: (answer, answered ?? ContinuousClock.now - started))
            }
        }
    }

    private func blockingRead(until marker: String) -> String {
        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains(marker) {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }
}
