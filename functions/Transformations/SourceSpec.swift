import Imaging
import Storage

/// The spec a request asks of a source image, in either grammar: parsed, checked against the source's size
/// (a crop must fit), then normalized for the source's format. A spec that changes nothing is refused. Every
/// problem is a 422 `invalid_transformation` naming its field as the request spelled it.
enum SourceSpec {
    /// A request body's `transformations`, before the source's format is known to be ready.
    static func parsed(body: JSONValue, for source: ImageRecord) throws(APIError) -> TransformationSpec {
        do {
            return try TransformationParsing.parse(body: body, forImageOf: size(of: source))
        } catch {
            throw APIError(error, "the transformations are not valid")
        }
    }

    /// The options segment of a URL (still percent-encoded), normalized for the source's format.
    static func of(urlOptions options: String, for source: ImageRecord, sourceFormat: ImageFormat) throws(APIError) -> TransformationSpec {
        let spec: TransformationSpec
        do {
            spec = try TransformationParsing.parse(urlOptions: options, forImageOf: size(of: source))
        } catch {
            throw APIError(error, "the transformation options are not valid")
        }
        return try normalized(spec, sourceFormat: sourceFormat, in: .url)
    }

    /// The spec for this source's format; refused when, for it, the spec changes nothing.
    static func normalized(_ spec: TransformationSpec, sourceFormat: ImageFormat, in grammar: TransformationGrammar) throws(APIError) -> TransformationSpec {
        let normalized = spec.normalized(sourceFormat: sourceFormat)
        guard !normalized.isEmpty else {
            throw APIError(
                .invalidTransformation, "the transformations change nothing",
                fieldErrors: [.init(field: grammar.name(.field([])), message: "must contain at least one transformation that changes the image")]
            )
        }
        return normalized
    }

    /// The spec as it names a variant for this request: `dpr` applied for the source's size, then `fmt_auto`
    /// resolved from the request's `Accept` for the size of the result. A spec without either is returned
    /// as it is.
    static func resolved(_ spec: TransformationSpec, for source: ImageRecord, sourceFormat: ImageFormat, accept: String?) -> TransformationSpec {
        guard !spec.isResolved else { return spec }
        let size = size(of: source)
        let sized = spec.applyingDevicePixelRatio(forImageOf: size)
        return sized.resolvingFormat(
            accepted: AcceptedImageFormats.of(accept), source: sourceFormat, outputSize: sized.outputSize(forImageOf: size)
        )
    }

    private static func size(of source: ImageRecord) -> (width: Int, height: Int) { (source.width ?? 0, source.height ?? 0) }
}
