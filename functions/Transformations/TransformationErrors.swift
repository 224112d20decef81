import Imaging

/// The two grammars of a transformation, and how each names the place of a problem.
enum TransformationGrammar {
    /// A request body: `transformations.resize.width`, `transformations.pipeline[2].crop`.
    case json
    /// URL options: `options.w`, `options[2].crop`.
    case url

    func name(_ path: FieldPath) -> String {
        switch (self, path) {
        case (.json, .request(let key)): key ?? ""
        case (.json, .field(let keys)): (["transformations"] + keys).joined(separator: ".")
        case (.json, .pipeline): "transformations.pipeline"
        case (.json, .step(let i, let keys)): (["transformations.pipeline[\(i)]"] + keys).joined(separator: ".")
        case (.url, .request), (.url, .pipeline): "options"
        case (.url, .field(let keys)): Self.option("options", keys)
        case (.url, .step(let i, let keys)): Self.option("options[\(i)]", keys)
        }
    }

    private static func option(_ at: String, _ keys: [String]) -> String {
        guard !keys.isEmpty, let name = URLTransformationParser.option(for: keys) else { return at }
        return "\(at).\(name)"
    }
}

/// The problems of a transformation as the request's grammar names them: what a 422
/// `invalid_transformation` lists.
public struct TransformationErrors: Error, Sendable {
    public var errors: [Problem.FieldError]

    init(_ errors: [Problem.FieldError]) { self.errors = errors }

    init(_ error: SpecValidationError, in grammar: TransformationGrammar) {
        errors = error.errors.map { .init(field: grammar.name($0.path), message: $0.message) }
    }
}

extension APIError.Code {
    /// A transformation with a bad field (`errors` names each) or one that changes nothing.
    public static let invalidTransformation = APIError.Code(rawValue: "invalid_transformation")
}

extension APIError {
    /// A 422 `invalid_transformation` listing every problem.
    init(_ errors: TransformationErrors, _ message: String) {
        self.init(.invalidTransformation, message, fieldErrors: errors.errors)
    }
}
