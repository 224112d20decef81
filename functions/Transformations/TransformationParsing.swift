import Foundation
import Imaging

/// The edge's entry points: a spec from either grammar, valid for a source of a given size, every problem
/// named as that grammar names it.
public enum TransformationParsing {
    /// A request body `{"transformations": {...}}`.
    public static func parse(body: JSONValue, forImageOf size: (width: Int, height: Int)? = nil) throws(TransformationErrors) -> TransformationSpec {
        do {
            let spec = try JSONTransformationParser.parse(body: body)
            if let size { try spec.validate(forImageOf: size) }
            return spec
        } catch {
            throw TransformationErrors(error, in: .json)
        }
    }

    /// A request body as text (tools and tests).
    public static func parse(body text: String, forImageOf size: (width: Int, height: Int)? = nil) throws -> TransformationSpec {
        try parse(body: try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), forImageOf: size)
    }

    /// The raw (still percent-encoded) options segment of a URL.
    public static func parse(urlOptions raw: String, forImageOf size: (width: Int, height: Int)? = nil) throws(TransformationErrors) -> TransformationSpec {
        let spec = try URLTransformationParser.parse(raw)
        if let size {
            do {
                try spec.validate(forImageOf: size)
            } catch {
                throw TransformationErrors(error, in: .url)
            }
        }
        return spec
    }
}
