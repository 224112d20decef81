import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOFoundationCompat

import Foundation

/// The Runtime API over HTTP, at `http://$AWS_LAMBDA_RUNTIME_API`. The address is `host:port`, optionally
/// followed by a path prefix (local-runtime gives each worker process its own prefix).
public struct HTTPRuntimeAPIClient: RuntimeAPIClient {
    private let baseURL: String
    private let httpClient: HTTPClient
    /// An event larger than this is refused (Lambda's own limit for synchronous invocations is 6 MB; the local
    /// runtime passes larger uploads, so this is generous).
    private let maxEventBytes: Int

    /// The client for the Runtime API. Not `HTTPClient.shared`: its 90 s read timeout cut the `next` long
    /// poll of any worker idle that long, and the worker exited (seen as "runtime stopped" every 90 s of
    /// quiet). A process-lifetime singleton, so it is never shut down.
    public static let runtimeAPIClient = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: .init(timeout: .init(connect: .seconds(10), read: nil))
    )

    public init(address: String, httpClient: HTTPClient = runtimeAPIClient, maxEventBytes: Int = 64 << 20) {
        var trimmed = address
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.baseURL = trimmed.hasPrefix("http://") ? trimmed : "http://\(trimmed)"
        self.httpClient = httpClient
        self.maxEventBytes = maxEventBytes
    }

    public func nextInvocation() async throws -> Invocation {
        let request = HTTPClientRequest(url: baseURL + RuntimeAPIPath.next)
        // The long poll lasts as long as the function is idle; no deadline of ours applies.
        let response = try await send(request, timeout: .hours(24 * 365))
        guard response.status == .ok else {
            throw RuntimeError(.runtimeAPIUnavailable, "GET next answered \(response.status.code)")
        }
        let body = try await response.body.collect(upTo: maxEventBytes)
        let metadata = try InvocationMetadata(headers: response.headers.map { (name: $0.name, value: $0.value) })
        return Invocation(metadata: metadata, event: Data(buffer: body))
    }

    public func respond(requestID: String, body: Data) async throws {
        try await post(RuntimeAPIPath.response(requestID), body: body)
    }

    /// The prelude and delimiter in the first chunk, then the body: bytes in hand in chunks of 256 KiB (fewer,
    /// larger writes stream a 21 MB body faster through both hops), a stream as it arrives. An error of the
    /// stream after the first byte (the store stopped sending) breaks the request off, which ends the client's
    /// answer short, as Lambda ends a stream that fails; an error before it is reported through `/error`.
    public func respond(requestID: String, streaming response: StreamedResponse) async throws {
        var request = HTTPClientRequest(url: baseURL + RuntimeAPIPath.response(requestID))
        request.method = .POST
        request.headers.add(name: RuntimeAPIHeader.responseMode, value: "streaming")
        request.headers.add(name: "Content-Type", value: StreamedResponse.contentType)
        request.headers.add(name: "Trailer", value: "\(RuntimeAPIHeader.errorType), \(RuntimeAPIHeader.errorBody)")
        let body = response.body
        request.body = .stream(ByteChunks(head: try response.head(), body: body, chunkSize: 262_144), length: .unknown)
        try await accepted(try await send(request, timeout: .seconds(60)), path: "streamed response", bytes: body.count)
    }

    public func reportError(requestID: String, _ report: ErrorReport) async throws {
        try await post(RuntimeAPIPath.error(requestID), body: try JSONEncoder().encode(report), errorType: report.errorType)
    }

    public func reportInitError(_ report: ErrorReport) async throws {
        try await post(RuntimeAPIPath.initError, body: try JSONEncoder().encode(report), errorType: report.errorType)
    }

    private func post(_ path: String, body: Data, errorType: String? = nil) async throws {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: body))
        if let errorType {
            request.headers.add(name: RuntimeAPIHeader.errorType, value: errorType)
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        try await accepted(try await send(request, timeout: .seconds(30)), path: path, bytes: body.count)
    }

    /// Drains the answer to a POST (so the connection returns to the pool) and throws unless it is a 2xx: 413
    /// is the payload limit (`responseTooLarge`), anything else the Runtime API failing.
    private func accepted(_ response: HTTPClientResponse, path: String, bytes: Int) async throws {
        _ = try? await response.body.collect(upTo: 1 << 16)
        if response.status == .payloadTooLarge {
            throw RuntimeError(.responseTooLarge, "POST \(path) of \(bytes) bytes is over the payload limit")
        }
        guard (200..<300).contains(Int(response.status.code)) else {
            throw RuntimeError(.runtimeAPIUnavailable, "POST \(path) answered \(response.status.code)")
        }
    }

    private func send(_ request: HTTPClientRequest, timeout: TimeAmount) async throws -> HTTPClientResponse {
        do {
            return try await httpClient.execute(request, timeout: timeout)
        } catch let error as CancellationError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw RuntimeError(.runtimeAPIUnavailable, "the Runtime API at \(baseURL) is unreachable (\(error))")
        }
    }
}

/// The head, then the body: bytes in hand in slices of `chunkSize`, each copied into a buffer only when it is
/// sent; a stream's buffers as they arrive.
struct ByteChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let head: Data
    let body: StreamedResponse.Body
    let chunkSize: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let chunks: ByteChunks
        var offset: Int? = nil

        mutating func next() async throws -> ByteBuffer? {
            guard let start = offset else {
                offset = 0
                return ByteBuffer(bytes: chunks.head)
            }
            switch chunks.body {
            case .stream(let stream):
                return try await stream.next()
            case .bytes(let bytes):
                guard start < bytes.count else { return nil }
                let end = Swift.min(start + chunks.chunkSize, bytes.count)
                offset = end
                return ByteBuffer(bytes: bytes[bytes.startIndex + start ..< bytes.startIndex + end])
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: self) }
}
