import Foundation
import FunctionRuntime
import Logging
import Storage

/// The answer with a ready image's bytes, as `GET /images/{id}` and the URL transformations give it: the true
/// type, an ETag from the content and 304 for `If-None-Match`. The bytes go back raw in a streamed answer (or
/// as base64 in a buffered one); bytes too large for the invocation's answer (or any, when `forceRedirect`)
/// are a 302 to a short-lived presigned URL of the object.
enum ImageBytesResponse {
    /// The answer for an image that has no bytes yet: 202 while its job is queued or running, the 422 of a
    /// failed one; nil when it is ready.
    static func unlessReady(_ image: ImageRecord) throws -> APIGatewayV2Response? {
        switch image.status {
        case .queued, .processing:
            return .json(ImageJSON(image), status: 202, headers: ["retry-after": "1"])
        case .failed:
            throw APIError(.transformationFailed, image.errorMessage ?? "the transformation failed")
        case .ready:
            return nil
        }
    }

    /// Bytes the store does not have are made again (a variant) or answered as missing (an original): see
    /// `MissingBytes`.
    static func serve(
        _ image: ImageRecord, request: APIGatewayV2Request, service: ImageService, forceRedirect: Bool,
        cacheControl: String = "private, max-age=31536000, immutable", extraHeaders: [String: String] = [:], context: InvocationContext
    ) async throws -> APIGatewayV2Response {
        let logger = context.logger
        guard let key = image.objectKey, let hash = image.contentHash else { throw APIError(.notFound, "no such image") }
        let etag = "\"\(hash)\""
        var headers = ["etag": etag, "cache-control": cacheControl, "x-content-type-options": "nosniff"].merging(extraHeaders) { $1 }
        if let match = request.header("if-none-match"), EntityTag.matches(ifNoneMatch: match, etag) {
            return APIGatewayV2Response(statusCode: 304, headers: headers)
        }
        // Made again from its original, a variant is served as it is now (its bytes are the same when the
        // imaging is, but its ETag is checked again above).
        func remade() async throws -> APIGatewayV2Response {
            let made = try await MissingBytes(service: service).recover(image, logger: logger)
            if let notReady = try unlessReady(made) { return notReady }
            return try await serve(
                made, request: request, service: service, forceRedirect: forceRedirect, cacheControl: cacheControl,
                extraHeaders: extraHeaders, context: context
            )
        }
        if ObjectRedirect.needed(for: image.sizeBytes, forced: forceRedirect, limit: context.maxInlineResponseBytes) {
            // The client follows the redirect to the store: make sure the store has the bytes to answer with.
            guard try await service.store.objectSize(key: key) != nil else { return try await remade() }
            return ObjectRedirect.response(
                to: key, image: image, store: service.store, expires: service.presignedDownloadSeconds, headers: headers
            )
        }
        if context.streamsResponse, (image.sizeBytes ?? 0) > service.objects.largestEntryBytes {
            return try await streamed(image, key: key, headers: headers, request: request, service: service, remade: remade)
        }
        let bytes: Data
        do {
            bytes = try await service.objects.object(key, hash: hash, from: service.store)
        } catch let error as StorageError where error.code == .notFound {
            return try await remade()
        } catch {
            throw APIError(.unavailable, "the service is unavailable; try again shortly", underlying: error)
        }
        headers["content-type"] = image.contentType
        // Streamed, the length frames the body, so a client (or the cache in front) knows a cut-off answer.
        headers["content-length"] = String(bytes.count)
        return APIGatewayV2Response(statusCode: 200, headers: headers, binaryBody: bytes)
    }

    /// Bytes too large for the object cache, passed on from the store as they arrive: the worker holds a buffer
    /// at a time, and the client's first byte does not wait for the last of the store's. A HEAD reads nothing.
    private static func streamed(
        _ image: ImageRecord, key: String, headers: [String: String], request: APIGatewayV2Request, service: ImageService,
        remade: () async throws -> APIGatewayV2Response
    ) async throws -> APIGatewayV2Response {
        var headers = headers
        headers["content-type"] = image.contentType
        if request.requestContext.http.method == "HEAD", let size = image.sizeBytes {
            headers["content-length"] = String(size)
            return APIGatewayV2Response(statusCode: 200, headers: headers)
        }
        let object: S3ObjectStream
        do {
            object = try await InvocationRecord.stage("s3.get") { try await service.store.getObjectStream(key: key) }
        } catch let error as StorageError where error.code == .notFound {
            return try await remade()
        } catch {
            throw APIError(.unavailable, "the service is unavailable; try again shortly", underlying: error)
        }
        let length = object.length ?? image.sizeBytes ?? 0
        headers["content-length"] = String(length)
        return APIGatewayV2Response(statusCode: 200, headers: headers, bodyStream: ResponseBodyStream(length: length, object.body))
    }
}
