import Logging

import Foundation

/// What a handler knows about the invocation it is running: who asked, until when, and where to log.
public struct InvocationContext: Sendable {
    public var metadata: InvocationMetadata
    public var functionName: String
    /// Carries `request.id` and `handler.name` in its metadata, so every line a handler logs names them.
    public var logger: Logger

    public init(metadata: InvocationMetadata, functionName: String, logger: Logger) {
        self.metadata = metadata
        self.functionName = functionName
        var logger = logger
        logger[metadataKey: "request.id"] = .string(metadata.requestID)
        logger[metadataKey: "handler.name"] = .string(functionName)
        self.logger = logger
    }

    public var requestID: String { metadata.requestID }

    /// The moment the invocation is cut off.
    public var deadline: Date { Date(timeIntervalSince1970: Double(metadata.deadlineMs) / 1000) }

    /// Time left before the deadline (negative once it has passed).
    public var remainingTime: Duration {
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        return .milliseconds(metadata.deadlineMs - nowMs)
    }
}
