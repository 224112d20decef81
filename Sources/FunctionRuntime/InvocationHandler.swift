import Foundation

/// The one thing a function does: turn an event's bytes into a response's bytes.
/// A thrown error fails the invocation and is reported to the Runtime API with its description.
public protocol InvocationHandler: Sendable {
    func handle(_ event: Data, context: InvocationContext) async throws -> Data
    /// The answer as it goes back to the Runtime API: buffered unless the handler streams
    /// (`context.streamsResponse`).
    func output(_ event: Data, context: InvocationContext) async throws -> InvocationOutput
}

extension InvocationHandler {
    public func output(_ event: Data, context: InvocationContext) async throws -> InvocationOutput {
        .buffered(try await handle(event, context: context))
    }
}

/// A function behind an HTTP route. Errors a client caused should be answered as responses (4xx), not thrown:
/// a thrown error is an invocation failure, which API Gateway answers with a bare 500.
public protocol HTTPHandler: Sendable {
    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response
}

/// A function triggered by a RabbitMQ queue. It is called once per message; a thrown error fails the whole
/// invocation, so the broker redelivers the event's messages (and dead-letters them after the delivery limit).
public protocol QueueHandler: Sendable {
    func handle(_ message: RabbitMQEvent.Message, context: InvocationContext) async throws
}

/// Adapts an `HTTPHandler` to the byte level: decodes payload 2.0, encodes the response.
public struct HTTPInvocationHandler<Handler: HTTPHandler>: InvocationHandler {
    public let handler: Handler
    public init(_ handler: Handler) { self.handler = handler }

    public func handle(_ event: Data, context: InvocationContext) async throws -> Data {
        var response = try await answer(event, context: context)
        if let stream = response.bodyStream {
            response.binaryBody = try await stream.collect()
            response.bodyStream = nil
        }
        if let binary = response.binaryBody {
            response.body = await InvocationRecord.stage("base64") { binary.base64EncodedString() }
            response.isBase64Encoded = true
            response.binaryBody = nil
        }
        return try await InvocationRecord.stage("response.encode") { try APIGatewayV2Response.encoder.encode(response) }
    }

    /// Streamed: the body's bytes as they are, after the prelude.
    public func output(_ event: Data, context: InvocationContext) async throws -> InvocationOutput {
        guard context.streamsResponse else { return .buffered(try await handle(event, context: context)) }
        return .streamed(StreamedResponse(try await answer(event, context: context)))
    }

    private func answer(_ event: Data, context: InvocationContext) async throws -> APIGatewayV2Response {
        let request: APIGatewayV2Request
        do {
            request = try await InvocationRecord.stage("event.decode") {
                try JSONDecoder().decode(APIGatewayV2Request.self, from: event).matchingPathParameters(of: context.routes)
            }
        } catch {
            throw RuntimeError(.invalidEvent, "the event is not an API Gateway payload 2.0 request")
        }
        var response = try await InvocationRecord.stage("handler") { try await handler.handle(request, context: context) }
        if request.requestContext.http.method == "HEAD" { response = response.withoutBody() }
        InvocationRecord.current?.status = response.statusCode
        if ServerTiming.enabled, let record = InvocationRecord.current {
            response.headers = (response.headers ?? [:]).merging(["server-timing": record.serverTiming]) { $1 }
        }
        return response
    }
}

extension APIGatewayV2Response {
    /// The answer to a HEAD request: a GET route's answer with the same headers, and the length of the body
    /// it would have sent instead of the body (RFC 9110 §9.3.2).
    public func withoutBody() -> APIGatewayV2Response {
        var answer = self
        if binaryBody != nil || body != nil || bodyStream != nil, answer.headers?["content-length"] == nil {
            let length: Int
            if let bodyStream {
                length = bodyStream.length
            } else if let binaryBody {
                length = binaryBody.count
            } else if let body, isBase64Encoded == true {
                let padding = body.reversed().prefix(2).filter { $0 == "=" }.count
                length = body.utf8.count / 4 * 3 - padding
            } else {
                length = body?.utf8.count ?? 0
            }
            answer.headers = (answer.headers ?? [:]).merging(["content-length": String(length)]) { $1 }
        }
        answer.body = nil
        answer.binaryBody = nil
        answer.bodyStream = nil
        answer.isBase64Encoded = nil
        return answer
    }

    /// Without escaping `/`: a base64 body is full of them, and `\/` doubles the encoder's work and sends the
    /// decoder on the other side down its slow path (measured with perf on cached GETs).
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return encoder
    }()
}

/// `SERVER_TIMING=1` adds a `Server-Timing` header of the invocation's stages to every HTTP answer. Off by
/// default: the stages say how a request was served, which is for whoever profiles it, not for every client.
public enum ServerTiming {
    public static let enabled = ["1", "true", "yes"].contains(ProcessInfo.processInfo.environment["SERVER_TIMING"]?.lowercased() ?? "")

    /// One stage as a `Server-Timing` entry: `s3.get;dur=3.100`.
    public static func entry(_ name: String, _ duration: Duration) -> String { "\(name);dur=\(milliseconds(duration))" }

    /// Milliseconds with three decimals, as the stages are written in headers and logs.
    public static func milliseconds(_ d: Duration) -> String {
        String(format: "%.3f", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
    }
}

/// Adapts a `QueueHandler` to the byte level: decodes the `aws:rmq` event, handles its messages in order.
public struct QueueInvocationHandler<Handler: QueueHandler>: InvocationHandler {
    public let handler: Handler
    public init(_ handler: Handler) { self.handler = handler }

    public func handle(_ event: Data, context: InvocationContext) async throws -> Data {
        let decoded: RabbitMQEvent
        do {
            decoded = try JSONDecoder().decode(RabbitMQEvent.self, from: event)
        } catch {
            throw RuntimeError(.invalidEvent, "the event is not an Amazon MQ for RabbitMQ event")
        }
        for message in decoded.messages {
            try await handler.handle(message, context: context)
        }
        return Data("{}".utf8)
    }
}
