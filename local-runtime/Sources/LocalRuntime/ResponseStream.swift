import AsyncAlgorithms
import FunctionRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A streamed answer on its way from a worker to the client: the prelude, read first, and the body handed over
/// a piece (`StreamedResponseReader.handOffBytes`) at a time. The next piece is gathered from the worker's
/// connection only once the client's has taken the one before, so local-runtime holds two pieces of a response
/// at most, never all of it, whatever its size.
struct ResponseStream: Sendable {
    let prelude: StreamedResponse.Prelude
    let chunks: AsyncThrowingChannel<ByteBuffer, any Error>

    /// A stream the worker broke off (its process died or passed its deadline), or one over the limit: the
    /// client's connection is cut, as Lambda ends a stream that fails after its first byte.
    struct Interrupted: Error {
        var reason: String
    }

    /// The client's answer. Headers and cookies as the prelude names them; the body written as it arrives.
    /// A `content-length` in the prelude frames the body (a HEAD's answer has none); otherwise it is chunked.
    func response() -> Response {
        var headers = HTTPFields()
        for (name, value) in prelude.headers ?? [:] {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        for cookie in prelude.cookies ?? [] { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        let length = headers[.contentLength].flatMap(Int.init)
        let chunks = self.chunks
        let body = ResponseBody(contentLength: length) { writer in
            // However the client's side ends, the worker's side is released: pending and later sends return.
            defer { chunks.finish() }
            for try await chunk in chunks { try await writer.write(chunk) }
            try await writer.finish(nil)
        }
        return Response(status: .init(code: prelude.statusCode), headers: headers, body: body)
    }
}

/// Reads a worker's `response` POST in streaming mode (`Lambda-Runtime-Function-Response-Mode: streaming`):
/// the JSON prelude up to the eight NUL bytes, then the body, passed on chunk by chunk.
enum StreamedResponseReader {
    /// The prelude's own limit: status, headers and cookies.
    static let maxPreludeBytes = 1 << 20

    enum Failure: Error {
        /// The body ended, or passed `maxPreludeBytes`, before the delimiter; or the prelude is not JSON.
        case invalidPrelude
    }

    /// Reads until the delimiter and decodes the prelude; returns it with the body bytes read past it.
    static func prelude(
        from iterator: inout RequestBody.AsyncIterator
    ) async throws -> (StreamedResponse.Prelude, ByteBuffer) {
        var head = ByteBuffer()
        while true {
            guard var chunk = try await iterator.next() else { throw Failure.invalidPrelude }
            head.writeBuffer(&chunk)
            let bytes = head.readableBytesView
            if let end = bytes.firstRange(of: StreamedResponse.delimiter) {
                let preludeLength = end.lowerBound - bytes.startIndex
                guard let prelude = try? JSONDecoder().decode(
                    StreamedResponse.Prelude.self, from: Data(bytes.prefix(preludeLength))
                ) else { throw Failure.invalidPrelude }
                head.moveReaderIndex(forwardBy: preludeLength + StreamedResponse.delimiter.count)
                return (prelude, head)
            }
            guard head.readableBytes <= maxPreludeBytes else { throw Failure.invalidPrelude }
        }
    }

    /// What is gathered from the worker's connection before it is handed on: its reads are at most 64 KiB, and
    /// one hand-off per read cost a 21 MB body about a third of its time.
    static let handOffBytes = 262_144

    /// Sends `first` and the rest of the body down `chunks` in pieces of about `handOffBytes`, at most
    /// `maxBytes` in all; then finishes it, or fails it when the worker's connection breaks or the limit is
    /// passed. Returns whether the whole body went through.
    static func forward(
        first: ByteBuffer, rest iterator: inout RequestBody.AsyncIterator,
        to chunks: AsyncThrowingChannel<ByteBuffer, any Error>, maxBytes: Int
    ) async -> Bool {
        var sent = first.readableBytes
        var pending = first
        do {
            while true {
                guard sent <= maxBytes else {
                    chunks.fail(ResponseStream.Interrupted(reason: "the streamed response is over \(maxBytes) bytes"))
                    return false
                }
                if pending.readableBytes >= handOffBytes {
                    await chunks.send(pending)
                    pending = ByteBuffer()
                }
                guard var chunk = try await iterator.next() else { break }
                sent += chunk.readableBytes
                if pending.readableBytes == 0 { pending = chunk } else { pending.writeBuffer(&chunk) }
            }
        } catch {
            chunks.fail(ResponseStream.Interrupted(reason: "the worker's stream broke off"))
            return false
        }
        if pending.readableBytes > 0 { await chunks.send(pending) }
        chunks.finish()
        return true
    }
}
