import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One kept-alive HTTP/1.1 connection to the Runtime API, with blocking socket calls on a serial queue of its
/// own. The Runtime API is one peer on the same host, asked one thing at a time (`next`, then `response`),
/// so a general HTTP client's pool, event loop and state machines are all overhead: with AsyncHTTPClient a
/// cached image GET spent most of the worker's CPU in them (perf, `infra/bench/compare`). The calls run on the
/// queue, never on Swift's cooperative threads, which a blocking read would take from the handlers.
final class RuntimeAPIConnection: @unchecked Sendable {
    /// An answer of the Runtime API: status, headers (names as sent) and body.
    struct Answer {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: Data
    }

    /// The socket failed, the peer closed it, or its answer does not parse.
    struct Broken: Error, CustomStringConvertible {
        var reason: String
        /// The connection was found closed or reset before any byte of the answer: on a kept-alive connection,
        /// the peer closed it while it was idle, and the request can go again on a new one.
        var closedBeforeAnswer = false
        var description: String { reason }
    }

    private let host: String
    private let port: String
    /// local-runtime gives each worker a path prefix (`/workers/3`); Lambda gives none.
    let pathPrefix: String
    private let queue = DispatchQueue(label: "runtime-api")
    /// The socket, shared with `interrupt()`, which may be called from any thread.
    private let socket = Mutex<Int32>(-1)
    /// Set by `interrupt()`: the call it broke off (or the next one) ends instead of opening a new connection.
    private let interrupted = Mutex(false)
    /// Bytes read past the last answer (none in practice: the Runtime API does not pipeline).
    private var pending: [UInt8] = []
    /// A chunked request's bytes not yet sent.
    private var output = Data()
    /// The send and receive timeout the open socket has, so a call that keeps it makes no `setsockopt`.
    private var timeoutSet: Int?
    /// What each `recv` reads into.
    private var scratch = [UInt8](repeating: 0, count: 256 << 10)

    /// `address` is `host:port`, optionally with `http://` before and a path prefix after.
    init(address: String) {
        var rest = Substring(address)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        pathPrefix = String(rest[slash...])
        if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = String(authority[authority.index(after: colon)...])
        } else {
            host = String(authority)
            port = "80"
        }
    }

    deinit { close() }

    var description: String { "http://\(host):\(port)\(pathPrefix)" }

    /// Runs `work` on the connection's queue.
    func run<T: Sendable>(_ work: @escaping @Sendable (RuntimeAPIConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work(self) }) }
        }
    }

    /// Unblocks a read or write in progress (a `next` long poll at shutdown); the connection is closed by the
    /// call that was blocked.
    func interrupt() {
        interrupted.withLock { $0 = true }
        socket.withLock { fd in if fd >= 0 { _ = shutdown(fd, Int32(SHUT_RDWR)) } }
    }

    /// Throws once after `interrupt()`.
    private func checkInterrupted() throws {
        if interrupted.withLock({ was in defer { was = false }; return was }) {
            close()
            throw Broken(reason: "the call to the Runtime API was interrupted")
        }
    }

    // MARK: On the queue

    /// Sends a request with a body in hand and reads its answer. A connection found closed by the peer before
    /// anything of the answer came (kept alive too long) is opened again once and the request sent again.
    func exchange(_ method: String, _ path: String, headers: [(String, String)] = [], body: Data = Data(), timeoutSeconds: Int, maxBody: Int) throws -> Answer {
        let reused = isOpen
        do {
            return try exchangeOnce(method, path, headers: headers, body: body, timeoutSeconds: timeoutSeconds, maxBody: maxBody)
        } catch let broken as Broken where reused && broken.closedBeforeAnswer {
            try checkInterrupted()
            return try exchangeOnce(method, path, headers: headers, body: body, timeoutSeconds: timeoutSeconds, maxBody: maxBody)
        } catch {
            try checkInterrupted()
            throw error
        }
    }

    private func exchangeOnce(_ method: String, _ path: String, headers: [(String, String)], body: Data, timeoutSeconds: Int, maxBody: Int) throws -> Answer {
        try open(timeoutSeconds: timeoutSeconds)
        var head = "\(method) \(pathPrefix)\(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if method != "GET" || !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        do {
            // One write, so that head and body are one segment (TCP_NODELAY), unless the body is large.
            if body.count <= 256 << 10 {
                try write(Data(head.utf8) + body)
            } else {
                try write(Data(head.utf8))
                try write(body)
            }
        } catch {
            // The peer may have answered and closed before taking the whole body (413 on its declared length).
            if let early = try? readAnswer(maxBody: 1 << 16) {
                close()
                return early
            }
            throw error
        }
        return try readAnswer(maxBody: maxBody)
    }

    /// Starts a request whose body follows in chunks (`Transfer-Encoding: chunked`). Its head is sent with the
    /// first chunk: each `flush()` is one write, so a small answer goes out as one segment, not eight.
    func beginChunked(_ path: String, headers: [(String, String)], timeoutSeconds: Int) throws {
        try open(timeoutSeconds: timeoutSeconds)
        var head = "POST \(pathPrefix)\(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nTransfer-Encoding: chunked\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        output = Data(head.utf8)
    }

    /// Adds one chunk of a chunked body to what the next `flush()` sends; an empty one is skipped (it would end
    /// the body).
    func addChunk(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        output.append(contentsOf: Array(String(bytes.count, radix: 16).utf8) + [13, 10])
        output.append(contentsOf: bytes)
        output.append(contentsOf: [13, 10])
    }

    /// Sends what was added since the last flush.
    func flush() throws {
        guard !output.isEmpty else { return }
        defer { output = Data() }
        try write(output)
    }

    /// Ends a chunked body and reads the answer.
    func endChunked(maxBody: Int) throws -> Answer {
        output.append(contentsOf: Array("0\r\n\r\n".utf8))
        try flush()
        return try readAnswer(maxBody: maxBody)
    }

    /// Drops the connection (a request broken off midway); the next request opens a new one.
    func close() {
        socket.withLock { fd in
            if fd >= 0 { _ = Glibc.close(fd) }
            fd = -1
        }
        pending = []
        output = Data()
        timeoutSet = nil
    }

    private var isOpen: Bool { socket.withLock { $0 >= 0 } }

    private func open(timeoutSeconds: Int) throws {
        try checkInterrupted()
        if !isOpen {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var found: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, port, &hints, &found) == 0, let first = found else {
                throw Broken(reason: "the Runtime API's host \(host) does not resolve")
            }
            defer { freeaddrinfo(found) }
            var candidate: UnsafeMutablePointer<addrinfo>? = first
            var connected: Int32 = -1
            while let info = candidate, connected < 0 {
                let fd = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
                if fd >= 0 {
                    if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                        connected = fd
                    } else {
                        _ = Glibc.close(fd)
                    }
                }
                candidate = info.pointee.ai_next
            }
            guard connected >= 0 else { throw Broken(reason: "the Runtime API at \(description) refused the connection (\(String(cString: strerror(errno))))") }
            var one: Int32 = 1
            _ = setsockopt(connected, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            socket.withLock { $0 = connected }
            pending = []
        }
        // 0 is no limit: the `next` long poll lasts as long as the function is idle. Set only when it changes
        // (each invocation alternates `next` and `response`, so that is twice an invocation, not four times).
        guard timeoutSet != timeoutSeconds else { return }
        var limit = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        let fd = socket.withLock { $0 }
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        timeoutSet = timeoutSeconds
    }

    private func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws {
        let fd = socket.withLock { $0 }
        var offset = 0
        while offset < bytes.count {
            let sent = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if sent < 0 {
                if errno == EINTR { continue }
                let closed = errno == EPIPE || errno == ECONNRESET
                throw Broken(reason: "writing to the Runtime API failed (\(String(cString: strerror(errno))))", closedBeforeAnswer: closed)
            }
            offset += sent
        }
    }

    /// Reads one answer: the head, then a body framed by Content-Length, chunks, or the connection's end.
    private func readAnswer(maxBody: Int) throws -> Answer {
        var buffer = pending
        pending = []
        let headEnd: Int
        while true {
            if let end = Self.find([13, 10, 13, 10], in: buffer) { headEnd = end; break }
            guard buffer.count < 64 << 10 else { throw Broken(reason: "the Runtime API sent a head over 64 KiB") }
            let more: Bool
            do {
                more = try fill(&buffer)
            } catch var broken as Broken {
                broken.closedBeforeAnswer = broken.closedBeforeAnswer && buffer.isEmpty
                throw broken
            }
            guard more else {
                close()
                if buffer.isEmpty { throw Broken(reason: "the Runtime API closed the connection before answering", closedBeforeAnswer: true) }
                throw Broken(reason: "the Runtime API's answer ended in its head")
            }
        }
        let lines = String(decoding: buffer[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ", maxSplits: 2) ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            close()
            throw Broken(reason: "the Runtime API's answer does not start with an HTTP status line")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        func header(_ name: String) -> String? { headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value }
        var rest = Array(buffer[(headEnd + 4)...])
        var body = Data()
        var keepAlive = header("Connection")?.lowercased() != "close"
        if header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            while true {
                var lineEnd: Int
                while true {
                    if let end = Self.find([13, 10], in: rest) { lineEnd = end; break }
                    guard try fill(&rest) else { close(); throw Broken(reason: "the Runtime API's chunked answer ended early") }
                }
                let sizeText = String(decoding: rest[..<lineEnd], as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                    close()
                    throw Broken(reason: "the Runtime API sent a malformed chunk")
                }
                rest.removeFirst(lineEnd + 2)
                if size == 0 {
                    // Trailers, if any, each a line, up to the empty line.
                    while true {
                        guard let end = Self.find([13, 10], in: rest) else {
                            guard try fill(&rest) else { close(); throw Broken(reason: "the Runtime API's chunked answer ended early") }
                            continue
                        }
                        rest.removeFirst(end + 2)
                        if end == 0 { break }
                    }
                    break
                }
                guard body.count + size <= maxBody else { close(); throw Broken(reason: "the Runtime API's answer is over \(maxBody) bytes") }
                while rest.count < size + 2 {
                    guard try fill(&rest) else { close(); throw Broken(reason: "the Runtime API's chunked answer ended early") }
                }
                body.append(contentsOf: rest[..<size])
                rest.removeFirst(size + 2)
            }
        } else if let lengthText = header("Content-Length") {
            guard let length = Int(lengthText), length >= 0 else { close(); throw Broken(reason: "the Runtime API sent a bad Content-Length") }
            guard length <= maxBody else { close(); throw Broken(reason: "the Runtime API's answer is over \(maxBody) bytes") }
            rest.reserveCapacity(length)
            while rest.count < length {
                guard try fill(&rest) else { close(); throw Broken(reason: "the Runtime API's answer ended early") }
            }
            body = Data(rest[..<length])
            rest.removeFirst(length)
        } else {
            // No framing: the body is whatever comes until the peer closes.
            while try fill(&rest) {
                guard rest.count <= maxBody else { close(); throw Broken(reason: "the Runtime API's answer is over \(maxBody) bytes") }
            }
            body = Data(rest)
            rest = []
            keepAlive = false
        }
        if keepAlive { pending = rest } else { close() }
        return Answer(status: status, headers: headers, body: body)
    }

    /// Appends what the socket has (waiting for it); false at the peer's end of stream.
    private func fill(_ buffer: inout [UInt8]) throws -> Bool {
        let fd = socket.withLock { $0 }
        guard fd >= 0 else { return false }
        while true {
            let count = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: scratch[..<count])
                return true
            }
            if count == 0 { return false }
            if errno == EINTR { continue }
            let reason = errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : String(cString: strerror(errno))
            let reset = errno == ECONNRESET
            close()
            throw Broken(reason: "reading from the Runtime API failed (\(reason))", closedBeforeAnswer: reset)
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
