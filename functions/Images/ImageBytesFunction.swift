import Foundation
import FunctionRuntime
import Imaging
import Storage

/// `GET /images/{id}` and `GET /image/{id}`: the bytes with their true type, an ETag from the content and
/// `If-None-Match`. `?format=` converts once and keeps the result as a variant. A variant not ready yet is a
/// 202 with the `Image`; a failed one is a 422 with its error. Bytes too large for a Lambda response (or any,
/// with `?redirect=1`) are a 302 to a short-lived presigned URL of the object.
struct ImageBytesFunction: APIFunction {
    let service: ImageService

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await service.accounts.currentUser(request)
        var image = try await service.image(request.pathParameters?["id"], of: user.id)
        let forceRedirect = try ObjectRedirect.forced(request)
        if let notReady = try Self.unlessReady(image) { return notReady }
        if let name = request.queryStringParameters?["format"] {
            guard let format = ImageFormat(rawValue: name.lowercased()) else {
                throw APIError.validation([.init(field: "format", message: "must be one of \(ImageFormat.allCases.map(\.rawValue).joined(separator: ", "))")])
            }
            if format.rawValue != image.format {
                image = try await converted(image, to: format)
                // The same conversion may have been asked for as a transformation and still be on the queue.
                if let notReady = try Self.unlessReady(image) { return notReady }
            }
        }
        guard let key = image.objectKey, let hash = image.contentHash else { throw APIError(.notFound, "no such image") }
        let etag = "\"\(hash)\""
        var headers = [
            "etag": etag, "cache-control": "private, max-age=31536000, immutable", "x-content-type-options": "nosniff",
        ]
        if let match = request.header("if-none-match"), match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*" }) {
            return APIGatewayV2Response(statusCode: 304, headers: headers)
        }
        if ObjectRedirect.needed(for: image.sizeBytes, forced: forceRedirect) {
            return ObjectRedirect.response(
                to: key, image: image, store: service.store, expires: service.presignedDownloadSeconds, headers: headers
            )
        }
        let bytes = try await storage { try await service.store.getObject(key: key) }
        headers["content-type"] = image.contentType
        return APIGatewayV2Response(statusCode: 200, headers: headers, body: bytes.base64EncodedString(), isBase64Encoded: true)
    }

    /// The answer for an image that has no bytes yet: 202 while its job is queued or running, the 422 of a
    /// failed one; nil when it is ready.
    static func unlessReady(_ image: ImageRecord) throws -> APIGatewayV2Response? {
        switch image.status {
        case .queued, .processing:
            return .json(ImageJSON(image), status: 202, headers: ["retry-after": "1"])
        case .failed:
            throw APIError(APIError.Code(rawValue: "transformation_failed"), image.errorMessage ?? "the transformation failed")
        case .ready:
            return nil
        }
    }

    /// The image in another format, made once and stored as a variant with the spec `{"format": …}`. A
    /// variant of that spec that exists already (ready, queued as a transformation, or failed) is returned as
    /// it is: its work is not done a second time.
    func converted(_ image: ImageRecord, to format: ImageFormat) async throws -> ImageRecord {
        let spec = { var spec = TransformationSpec(); spec.format = format; return spec }()
        if let existing = try await storage({ try await service.images.variant(of: image.id, specHash: spec.hash, owner: image.ownerID) }) {
            return existing
        }
        guard let key = image.objectKey else { throw APIError(.notFound, "no such image") }
        let bytes = try await storage { try await service.store.getObject(key: key) }
        let result: EncodedImage
        do {
            result = try await offloaded { try ImageProcessor.process(try ImageSource(bytes: [UInt8](bytes)), spec: spec) }
        } catch let error as ImagingError {
            throw APIError(imaging: error)
        }
        let id = UUID()
        let variantKey = ObjectKeys.variant(owner: image.ownerID, source: image.id, specHash: spec.hash)
        try await storage { try await service.store.putObject(key: variantKey, body: Data(result.bytes), contentType: format.contentType) }
        let record = ImageRecord(
            id: id, ownerID: image.ownerID, sourceID: image.id, specHash: spec.hash, transformations: spec.canonicalJSON,
            filename: image.filename, format: format.rawValue, contentType: format.contentType, width: result.width,
            height: result.height, sizeBytes: result.bytes.count, objectKey: variantKey,
            contentHash: ImageService.contentHash(result.bytes), status: .ready
        )
        return try await storage { try await service.images.insert(record) }
    }
}
