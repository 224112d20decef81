import NIOCore

import Foundation

/// The Runtime API over HTTP, at `http://$AWS_LAMBDA_RUNTIME_API`. The address is `host:port`, optionally
/// followed by a path prefix (local-runtime gives each worker process its own prefix). One kept-alive
/// connection carries every call (`RuntimeAPIConnection`).
public struct HTTPRuntimeAPIClient: RuntimeAPIClient {
    private let connection: RuntimeAPIConnection
    /// An event larger than this is refused (Lambda's own limit for synchronous invocations is 6 MB; the local
    /// runtime passes larger uploads, so this is generous).
    private let maxEventBytes: Int
    /// A streamed body's bytes in hand go out in chunks of this size (fewer, larger writes stream a 21 MB body
    /// faster through both hops than 64 KiB ones).
    static let chunkBytes = 262_144

    public init(address: String, maxEventBytes: Int = 64 << 20) {
        connection = RuntimeAPIConnection(address: address)
        self.maxEventBytes = maxEventBytes
    }

    public func nextInvocation() async throws -> Invocation {
        let connection = self.connection, maxEventBytes = self.maxEventBytes
        // The long poll lasts as long as the function is idle: no timeout. Cancelled (a graceful shutdown), the
        // blocked read is interrupted.
        let answer = try await withTaskCancellationHandler {
            try await call {
                try await connection.run { try $0.exchange("GET", RuntimeAPIPath.next, timeoutSeconds: 0, maxBody: maxEventBytes) }
            }
        } onCancel: {
            connection.interrupt()
        }
        guard answer.status == 200 else {
            throw RuntimeError(.runtimeAPIUnavailable, "GET next answered \(answer.status)")
        }
        return Invocation(metadata: try InvocationMetadata(headers: answer.headers), event: answer.body)
    }

    public func respond(requestID: String, body: Data) async throws {
        try await post(RuntimeAPIPath.response(requestID), body: body)
    }

    /// The prelude and delimiter in the first chunk, then the body: bytes in hand in chunks of 256 KiB, a
    /// stream as it arrives. An error of the stream after the first byte (the store stopped sending) breaks the
    /// request off, which ends the client's answer short, as Lambda ends a stream that fails; an error before
    /// it is reported through `/error`.
    public func respond(requestID: String, streaming response: StreamedResponse) async throws {
        let connection = self.connection, path = RuntimeAPIPath.response(requestID)
        let head = try response.head()
        let headers = [
            (RuntimeAPIHeader.responseMode, "streaming"), ("Content-Type", StreamedResponse.contentType),
            ("Trailer", "\(RuntimeAPIHeader.errorType), \(RuntimeAPIHeader.errorBody)"),
        ]
        let answer = try await call {
            do {
                switch response.body {
                case .bytes(let bytes):
                    return try await connection.run { connection in
                        try connection.beginChunked(path, headers: headers, timeoutSeconds: 60)
                        head.withUnsafeBytes { connection.addChunk($0) }
                        var start = bytes.startIndex
                        while start < bytes.endIndex {
                            let end = min(start + Self.chunkBytes, bytes.endIndex)
                            bytes[start..<end].withUnsafeBytes { connection.addChunk($0) }
                            // A small answer goes out whole with the end below, a large one a chunk at a time.
                            if end < bytes.endIndex { try connection.flush() }
                            start = end
                        }
                        return try connection.endChunked(maxBody: 1 << 16)
                    }
                case .stream(let stream):
                    try await connection.run { connection in
                        try connection.beginChunked(path, headers: headers, timeoutSeconds: 60)
                        head.withUnsafeBytes { connection.addChunk($0) }
                        try connection.flush()
                    }
                    // Buffers go on as they arrive, gathered up to a chunk: the client's first byte does not wait
                    // for the last, and a 21 MB body is 80 writes, not the 330 of the store's 64 KiB reads.
                    var gathered = ByteBuffer()
                    while let buffer = try await stream.next() {
                        var buffer = buffer
                        gathered.writeBuffer(&buffer)
                        guard gathered.readableBytes >= Self.chunkBytes else { continue }
                        let chunk = gathered
                        gathered = ByteBuffer()
                        try await connection.run { connection in
                            chunk.withUnsafeReadableBytes { connection.addChunk($0) }
                            try connection.flush()
                        }
                    }
                    let last = gathered
                    return try await connection.run { connection in
                        last.withUnsafeReadableBytes { connection.addChunk($0) }
                        return try connection.endChunked(maxBody: 1 << 16)
                    }
                }
            } catch {
                // Broken off midway: the Runtime API sees the body end without its last chunk.
                _ = try? await connection.run { $0.close() }
                throw error
            }
        }
        try accepted(answer, path: "streamed response", bytes: response.body.count)
    }

    public func reportError(requestID: String, _ report: ErrorReport) async throws {
        try await post(RuntimeAPIPath.error(requestID), body: try JSONEncoder().encode(report), errorType: report.errorType)
    }

    public func reportInitError(_ report: ErrorReport) async throws {
        try await post(RuntimeAPIPath.initError, body: try JSONEncoder().encode(report), errorType: report.errorType)
    }

    private func post(_ path: String, body: Data, errorType: String? = nil) async throws {
        let connection = self.connection
        let headers = errorType.map { [(RuntimeAPIHeader.errorType, $0), ("Content-Type", "application/json")] } ?? []
        let answer = try await call {
            try await connection.run { try $0.exchange("POST", path, headers: headers, body: body, timeoutSeconds: 30, maxBody: 1 << 16) }
        }
        try accepted(answer, path: path, bytes: body.count)
    }

    /// Throws unless the answer to a POST is a 2xx: 413 is the payload limit (`responseTooLarge`), anything else
    /// the Runtime API failing.
    private func accepted(_ answer: RuntimeAPIConnection.Answer, path: String, bytes: Int) throws {
        if answer.status == 413 {
            throw RuntimeError(.responseTooLarge, "POST \(path) of \(bytes) bytes is over the payload limit")
        }
        guard (200..<300).contains(answer.status) else {
            throw RuntimeError(.runtimeAPIUnavailable, "POST \(path) answered \(answer.status)")
        }
    }

    /// A call's failure as the loop knows it: cancellation stays cancellation, anything else is the Runtime API
    /// being unreachable.
    private func call<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as CancellationError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw RuntimeError(.runtimeAPIUnavailable, "the Runtime API at \(connection.description) is unreachable (\(error))")
        }
    }
}
