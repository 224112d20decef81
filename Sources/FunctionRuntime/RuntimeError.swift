/// Errors of the runtime itself (not of a handler). Descriptions are safe to post to the Runtime API.
public struct RuntimeError: Error, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// `_HANDLER` names no function in the table.
        public static let unknownHandler = Code(rawValue: "UnknownHandler")
        /// The Runtime API answered something that is not an invocation.
        public static let invalidInvocation = Code(rawValue: "InvalidInvocation")
        /// The Runtime API could not be reached or answered with an unexpected status.
        public static let runtimeAPIUnavailable = Code(rawValue: "RuntimeAPIUnavailable")
        /// The Runtime API refused a response as over the payload limit (413); the invocation has failed.
        public static let responseTooLarge = Code(rawValue: "Function.ResponseSizeTooLarge")
        /// The event does not decode as the type the handler takes.
        public static let invalidEvent = Code(rawValue: "InvalidEvent")
        /// A required setting is missing or invalid.
        public static let invalidConfiguration = Code(rawValue: "InvalidConfiguration")
        /// The handler had not finished shortly before the invocation's deadline (a dependency that does not
        /// answer): it is failed then, by the runtime, so the process lives on instead of being killed.
        public static let deadlineExceeded = Code(rawValue: "Function.DeadlineExceeded")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
