/// Errors met at the storage edge (PostgreSQL, S3). The foreign error is kept for logs only; the description
/// is safe to show and never contains SQL, credentials or a server's message.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidConfiguration = Code(rawValue: "invalid_configuration")
        /// PostgreSQL or the object store cannot be reached.
        public static let unavailable = Code(rawValue: "unavailable")
        /// The object store answered with an error status.
        public static let objectStoreRejected = Code(rawValue: "object_store_rejected")
        public static let notFound = Code(rawValue: "not_found")
        public static let migrationFailed = Code(rawValue: "migration_failed")
    }

    public var code: Code
    public var message: String
    /// The underlying error, for `String(reflecting:)` in logs only.
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { "\(code): \(message)" }
}
