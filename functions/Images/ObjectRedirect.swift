import Foundation
import FunctionRuntime
import Imaging
import Storage

/// Image bytes that do not travel through the function: a short-lived presigned GET of the stored object,
/// answered as a redirect. Anything over what the invocation can answer (`maxInlineResponseBytes`: 200 MB
/// streamed, 6 MB less base64's third buffered) goes this way, and any size does with `?redirect=1`.
enum ObjectRedirect {
    /// Whether the request asks for a redirect whatever the size: `redirect=1|true`; `0|false` leave the
    /// choice to the size. Anything else is a 422 naming the parameter.
    static func forced(_ request: APIGatewayV2Request) throws(APIError) -> Bool {
        guard let value = request.queryStringParameters?["redirect"] else { return false }
        switch value.lowercased() {
        case "1", "true": return true
        case "0", "false": return false
        default: throw APIError.validation([.init(field: "redirect", message: "must be 1, true, 0 or false")])
        }
    }

    static func needed(for sizeBytes: Int?, forced: Bool, limit: Int) -> Bool {
        forced || (sizeBytes ?? 0) > limit
    }

    /// The 302 to the object, which the store answers with the image's own type and a download name.
    static func response(
        to key: String, image: ImageRecord, store: S3Client, expires: Int, headers: [String: String]
    ) -> APIGatewayV2Response {
        let url = store.presignedURL(
            .GET, key: key, expires: expires,
            query: [
                ("response-content-type", image.contentType),
                ("response-content-disposition", contentDisposition(filename: image.filename, format: image.format)),
            ]
        )
        var headers = headers
        headers["location"] = url
        // The URL expires: a cached redirect would outlive it.
        headers["cache-control"] = "private, no-store"
        return APIGatewayV2Response(statusCode: 302, headers: headers)
    }

    /// `inline; filename="Dune.png"; filename*=UTF-8''Dune.png` (RFC 6266): the display name with the
    /// extension of the bytes' format, an ASCII fallback and the exact name percent-encoded.
    static func contentDisposition(filename: String, format: String) -> String {
        let name = withExtension(filename, of: format)
        let ascii = String(name.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\" ? Character(scalar) : "_"
        })
        return "inline; filename=\"\(ascii)\"; filename*=UTF-8''\(SigV4Signer.encode(name, encodeSlash: true))"
    }

    static func withExtension(_ filename: String, of format: String) -> String {
        let aliases = ["jpeg": ["jpg", "jpeg", "jpe"], "tiff": ["tif", "tiff"], "heif": ["heif", "heic"]]
        let parts = filename.split(separator: ".", omittingEmptySubsequences: false)
        let current = parts.count > 1 ? parts.last!.lowercased() : ""
        if (aliases[format] ?? [format]).contains(current) { return filename }
        let stem = parts.count > 1 && !parts.dropLast().joined(separator: ".").isEmpty ? parts.dropLast().joined(separator: ".") : filename
        return "\(stem).\(format)"
    }
}
