import Foundation
@testable import FunctionRuntime
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The Runtime API connection against a peer scripted byte by byte: framing of answers (length, chunks with
/// trailers, the connection's end), a kept-alive connection the peer closed, an answer before the body was
/// taken, a chunked request as the peer reads it, and a long poll interrupted.
@Suite struct RuntimeAPIConnectionTests {
    /// Seconds a call may wait for the scripted peer: generous, since the suite runs beside the whole test run
    /// on two cores (a 5 s limit timed out once in CI).
    static let patience = 30

    /// A TCP listener on loopback whose connections are handled, one after another, by `script` on a thread.
    final class ScriptedPeer: @unchecked Sendable {
        let port: Int
        private let listener: Int32

        init(_ script: @escaping @Sendable (_ connection: Int, _ fd: Int32) -> Void) throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            guard bound, listen(fd, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
            listener = fd
            port = Int(UInt16(bigEndian: address.sin_port))
            Thread.detachNewThread {
                var n = 0
                while true {
                    let connection = accept(fd, nil, nil)
                    guard connection >= 0 else { return }
                    script(n, connection)
                    n += 1
                }
            }
        }

        deinit { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

        /// Reads until `marker` has arrived (or the end), returning everything read.
        static func read(_ fd: Int32, until marker: String, limit: Int = 1 << 24) -> [UInt8] {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while bytes.count < limit {
                if let text = String(bytes: bytes, encoding: .isoLatin1), text.contains(marker) { break }
                let n = recv(fd, &buffer, buffer.count, 0)
                guard n > 0 else { break }
                bytes += buffer[..<n]
            }
            return bytes
        }

        static func write(_ fd: Int32, _ text: String) {
            _ = text.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        }
    }

    @Test func answersFramedByLengthChunksOrTheEndOfTheConnection() throws {
        let peer = try ScriptedPeer { n, fd in
            defer { close(fd) }
            // Connection 0 keeps alive for two requests; connection 1 answers unframed and closes.
            if n == 0 {
                _ = ScriptedPeer.read(fd, until: "\r\n\r\n")
                ScriptedPeer.write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nLambda-Runtime-Aws-Request-Id: r1\r\n\r\nhello")
                _ = ScriptedPeer.read(fd, until: "\r\n\r\n")
                ScriptedPeer.write(fd, "HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nX-Trailer: t\r\n\r\n")
                _ = ScriptedPeer.read(fd, until: "never")  // until the client closes
            } else {
                _ = ScriptedPeer.read(fd, until: "\r\n\r\n")
                ScriptedPeer.write(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end")
            }
        }
        let connection = RuntimeAPIConnection(address: "127.0.0.1:\(peer.port)/workers/1")
        let first = try connection.exchange("GET", "/next", timeoutSeconds: Self.patience, maxBody: 1 << 20)
        #expect(first.status == 200 && first.body == Data("hello".utf8))
        #expect(first.headers.contains { $0.name == "Lambda-Runtime-Aws-Request-Id" && $0.value == "r1" })
        let second = try connection.exchange("POST", "/response", body: Data("x".utf8), timeoutSeconds: Self.patience, maxBody: 1 << 20)
        #expect(second.status == 202 && second.body == Data("abcdefg".utf8))
        connection.close()
        let third = try connection.exchange("GET", "/next", timeoutSeconds: Self.patience, maxBody: 1 << 20)
        #expect(third.status == 200 && third.body == Data("to the end".utf8))
        // The peer lives to the end: released after its last use, its deinit would close the listener.
        withExtendedLifetime(peer) {}
    }

    @Test func aKeptAliveConnectionThePeerClosedIsOpenedAgain() throws {
        let peer = try ScriptedPeer { n, fd in
            defer { close(fd) }
            _ = ScriptedPeer.read(fd, until: "\r\n\r\n")
            ScriptedPeer.write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n\(n)")
            // Then the peer drops the connection, as a server's idle timeout does: with a FIN, then with a reset.
            if n == 1 {
                var reset = linger(l_onoff: 1, l_linger: 0)
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
            }
        }
        let connection = RuntimeAPIConnection(address: "http://127.0.0.1:\(peer.port)")
        #expect(try connection.exchange("GET", "/a", timeoutSeconds: Self.patience, maxBody: 100).body == Data("0".utf8))
        Thread.sleep(forTimeInterval: 0.05)
        #expect(try connection.exchange("GET", "/b", timeoutSeconds: Self.patience, maxBody: 100).body == Data("1".utf8))
        Thread.sleep(forTimeInterval: 0.05)
        #expect(try connection.exchange("GET", "/c", timeoutSeconds: Self.patience, maxBody: 100).body == Data("2".utf8))
        // The peer lives to the end: released after its last use, its deinit would close the listener.
        withExtendedLifetime(peer) {}
    }

    @Test func anAnswerBeforeTheBodyWasTakenIsRead() throws {
        // The peer refuses on the declared length (413) and closes without reading 8 MB.
        let peer = try ScriptedPeer { _, fd in
            _ = ScriptedPeer.read(fd, until: "\r\n\r\n")
            ScriptedPeer.write(fd, "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            close(fd)
        }
        let connection = RuntimeAPIConnection(address: "127.0.0.1:\(peer.port)")
        let answer = try connection.exchange("POST", "/response", body: Data(count: 8 << 20), timeoutSeconds: Self.patience, maxBody: 100)
        #expect(answer.status == 413)
        // The peer lives to the end: released after its last use, its deinit would close the listener.
        withExtendedLifetime(peer) {}
    }

    @Test func aChunkedRequestIsFramedAsHTTPSays() throws {
        let received = LockedBytes()
        let peer = try ScriptedPeer { _, fd in
            defer { close(fd) }
            received.set(ScriptedPeer.read(fd, until: "\r\n0\r\n\r\n"))
            ScriptedPeer.write(fd, "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
            _ = ScriptedPeer.read(fd, until: "never")
        }
        let connection = RuntimeAPIConnection(address: "127.0.0.1:\(peer.port)")
        try connection.beginChunked("/response", headers: [("Lambda-Runtime-Function-Response-Mode", "streaming")], timeoutSeconds: Self.patience)
        Data("{\"statusCode\":200}".utf8).withUnsafeBytes { connection.addChunk($0) }
        Data().withUnsafeBytes { connection.addChunk($0) }  // skipped: an empty chunk would end the body
        Data(repeating: 7, count: 300).withUnsafeBytes { connection.addChunk($0) }
        #expect(try connection.endChunked(maxBody: 100).status == 202)
        let text = String(decoding: received.get(), as: UTF8.self)
        #expect(text.hasPrefix("POST /response HTTP/1.1\r\n"))
        #expect(text.contains("Transfer-Encoding: chunked\r\n") && text.contains("Lambda-Runtime-Function-Response-Mode: streaming\r\n"))
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        #expect(body == "12\r\n{\"statusCode\":200}\r\n12c\r\n" + String(repeating: "\u{7}", count: 300) + "\r\n0\r\n\r\n")
        // The peer lives to the end: released after its last use, its deinit would close the listener.
        withExtendedLifetime(peer) {}
    }

    @Test func aLongPollIsInterrupted() async throws {
        let peer = try ScriptedPeer { _, fd in
            _ = ScriptedPeer.read(fd, until: "never")  // never answers
            close(fd)
        }
        let client = HTTPRuntimeAPIClient(address: "127.0.0.1:\(peer.port)")
        let started = ContinuousClock.now
        let poll = Task { try await client.nextInvocation() }
        try await Task.sleep(for: .milliseconds(200))
        poll.cancel()
        await #expect(throws: CancellationError.self) { try await poll.value }
        #expect(ContinuousClock.now - started < .seconds(5))
        // The peer lives to the end: released after its last use, its deinit would close the listener.
        withExtendedLifetime(peer) {}
    }

    final class LockedBytes: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes: [UInt8] = []
        func set(_ value: [UInt8]) { lock.withLock { bytes = value } }
        func get() -> [UInt8] { lock.withLock { bytes } }
    }
}
