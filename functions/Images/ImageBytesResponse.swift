import Foundation
import FunctionRuntime
import Storage

/// The answer with a ready image's bytes, as `GET /images/{id}` and the URL transformations give it: the true
/// type, an ETag from the content and 304 for `If-None-Match`; bytes too large for a Lambda response (or any,
/// when `forceRedirect`) are a 302 to a short-lived presigned URL of the object.
enum ImageBytesResponse {
    static func serve(
        _ image: ImageRecord, request: APIGatewayV2Request, service: ImageService, forceRedirect: Bool,
        cacheControl: String = "private, max-age=31536000, immutable", extraHeaders: [String: String] = [:]
    ) async throws -> APIGatewayV2Response {
        guard let key = image.objectKey, let hash = image.contentHash else { throw APIError(.notFound, "no such image") }
        let etag = "\"\(hash)\""
        var headers = ["etag": etag, "cache-control": cacheControl, "x-content-type-options": "nosniff"].merging(extraHeaders) { $1 }
        if let match = request.header("if-none-match"),
            match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*" })
        {
            return APIGatewayV2Response(statusCode: 304, headers: headers)
        }
        if ObjectRedirect.needed(for: image.sizeBytes, forced: forceRedirect) {
            return ObjectRedirect.response(
                to: key, image: image, store: service.store, expires: service.presignedDownloadSeconds, headers: headers
            )
        }
        let bytes = try await storage { try await service.objects.object(key, hash: hash, from: service.store) }
        headers["content-type"] = image.contentType
        let body = await InvocationRecord.stage("base64") { bytes.base64EncodedString() }
        return APIGatewayV2Response(statusCode: 200, headers: headers, body: body, isBase64Encoded: true)
    }
}
