import Logging

import Foundation

/// What a handler knows about the invocation it is running: who asked, until when, and where to log.
public struct InvocationContext: Sendable {
    public var metadata: InvocationMetadata
    public var functionName: String
    /// Carries `request.id` and `handler.name` in its metadata, so every line a handler logs names them.
    public var logger: Logger
    /// Whether the answer goes back streamed (`InvokeMode.responseStream`): bodies up to
    /// `StreamedResponse.maxBytes`, raw; otherwise buffered, base64 within Lambda's 6 MB.
    public var streamsResponse: Bool
    /// The function's routes, for events that come without them (a function URL's).
    public var routes: [HTTPRoute]

    public init(
        metadata: InvocationMetadata, functionName: String, logger: Logger, streamsResponse: Bool = false, routes: [HTTPRoute] = []
    ) {
        self.metadata = metadata
        self.functionName = functionName
        self.streamsResponse = streamsResponse
        self.routes = routes
        var logger = logger
        logger[metadataKey: "request.id"] = .string(metadata.requestID)
        logger[metadataKey: "handler.name"] = .string(functionName)
        self.logger = logger
    }

    public var requestID: String { metadata.requestID }

    /// The largest body this invocation can answer itself; larger ones are redirected to the object store.
    public var maxInlineResponseBytes: Int {
        streamsResponse ? StreamedResponse.maxBytes - 65_536 : LambdaLimits.maxInlineResponseBytes
    }

    /// The moment the invocation is cut off.
    public var deadline: Date { Date(timeIntervalSince1970: Double(metadata.deadlineMs) / 1000) }

    /// Time left before the deadline (negative once it has passed).
    public var remainingTime: Duration {
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        return .milliseconds(metadata.deadlineMs - nowMs)
    }
}
