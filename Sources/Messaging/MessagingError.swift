/// Errors met talking to RabbitMQ. Descriptions are safe to show; they carry no credentials.
public struct MessagingError: Error, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidConfiguration = Code(rawValue: "invalid_configuration")
        /// The broker cannot be reached, refused the login, or closed the connection.
        public static let unavailable = Code(rawValue: "unavailable")
        /// The broker refused a declaration or a publish (nack, unroutable).
        public static let rejected = Code(rawValue: "rejected")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
