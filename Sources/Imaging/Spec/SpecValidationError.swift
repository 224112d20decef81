/// Every problem with a transformation, each at its typed place in the spec. The edge renders the places in
/// its grammar: `transformations.resize.width` for a JSON body, `options.w` for URL options.
public struct SpecValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct FieldError: Sendable, Equatable {
        public var path: FieldPath
        public var message: String

        public init(_ path: FieldPath, _ message: String) {
            self.path = path
            self.message = message
        }
    }

    public var errors: [FieldError]

    public init(_ errors: [FieldError]) { self.errors = errors }

    public var description: String { errors.map { "\($0.path): \($0.message)" }.joined(separator: "; ") }
}

/// Where in a transformation a problem is, independent of how the request spelled it.
public enum FieldPath: Sendable, Hashable, CustomStringConvertible {
    /// The whole request (nil), or a part of it beside the transformation (a JSON body's other keys).
    case request(String?)
    /// A field of the fixed-order object or an output option, by its keys (`["resize", "width"]`); `[]` is
    /// the transformation as a whole.
    case field([String])
    /// The list of pipeline steps as a whole.
    case pipeline
    /// A pipeline step (`[]`) or a field in it, by its keys below the step (`["crop"]`).
    case step(Int, [String])

    /// The keys below the transformation or the step.
    public var keys: [String] {
        switch self {
        case .field(let keys), .step(_, let keys): keys
        case .request, .pipeline: []
        }
    }

    public var description: String {
        switch self {
        case .request(let key): key ?? "(request)"
        case .field(let keys): keys.isEmpty ? "(transformation)" : keys.joined(separator: ".")
        case .pipeline: "pipeline"
        case .step(let i, let keys): (["pipeline[\(i)]"] + keys).joined(separator: ".")
        }
    }
}
