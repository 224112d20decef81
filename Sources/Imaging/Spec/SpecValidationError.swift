/// Every problem with a `transformations` object, each at its dotted path from the body's root
/// (`transformations.resize.width`), for a 422 `invalid_transformation`.
public struct SpecValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct FieldError: Sendable, Equatable, Codable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var errors: [FieldError]

    public init(_ errors: [FieldError]) { self.errors = errors }

    public var description: String { errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ") }
}
