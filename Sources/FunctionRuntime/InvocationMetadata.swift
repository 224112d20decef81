/// The wire metadata of one invocation, parsed once from the Runtime API's response headers.
public struct InvocationMetadata: Sendable, Equatable {
    public var requestID: String
    /// Milliseconds since the Unix epoch after which the invocation is cut off.
    public var deadlineMs: Int64
    public var invokedFunctionARN: String?
    public var traceID: String?

    public init(requestID: String, deadlineMs: Int64, invokedFunctionARN: String? = nil, traceID: String? = nil) {
        self.requestID = requestID
        self.deadlineMs = deadlineMs
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
    }

    /// Parses the headers of a `GET .../invocation/next` response; the request id and deadline are required.
    public init(headers: [(name: String, value: String)]) throws(RuntimeError) {
        func value(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
        guard let requestID = value(RuntimeAPIHeader.requestID), !requestID.isEmpty else {
            throw RuntimeError(.invalidInvocation, "the invocation has no \(RuntimeAPIHeader.requestID) header")
        }
        guard let deadline = value(RuntimeAPIHeader.deadlineMs).flatMap({ Int64($0) }) else {
            throw RuntimeError(.invalidInvocation, "the invocation has no valid \(RuntimeAPIHeader.deadlineMs) header")
        }
        self.init(
            requestID: requestID,
            deadlineMs: deadline,
            invokedFunctionARN: value(RuntimeAPIHeader.invokedFunctionARN),
            traceID: value(RuntimeAPIHeader.traceID)
        )
    }
}
