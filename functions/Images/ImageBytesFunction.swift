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
    /// Who is asking: the bearer token\'s user.
    let accounts: AccountService

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .scope(.imagesRead))
        var image = try await service.image(request.pathParameters?["id"], of: user.id)
        let forceRedirect = try ObjectRedirect.forced(request)
        if let notReady = try ImageBytesResponse.unlessReady(image) { return notReady }
        if let name = request.queryStringParameters?["format"] {
            guard let format = ImageFormat(rawValue: name.lowercased()) else {
                throw APIError.validation([.init(field: "format", message: "must be one of \(ImageFormat.allCases.map(\.rawValue).joined(separator: ", "))")])
            }
            if format.rawValue != image.format {
                image = try await converted(image, to: format, context: context)
                // The same conversion may have been asked for as a transformation and still be on the queue.
                if let notReady = try ImageBytesResponse.unlessReady(image) { return notReady }
            }
        }
        return try await ImageBytesResponse.serve(
            image, request: request, service: service, forceRedirect: forceRedirect, context: context
        )
    }

    /// The image in another format, made once and kept as a variant with the spec `{"format": …}`, on the
    /// same path as a URL transformation. A variant of that spec that exists already (ready, queued as a
    /// transformation, or failed) is returned as it is: its work is not done a second time.
    func converted(_ image: ImageRecord, to format: ImageFormat, context: InvocationContext) async throws -> ImageRecord {
        guard let sourceFormat = ImageFormat(rawValue: image.format) else { throw APIError(.notFound, "no such image") }
        let spec = TransformationSpec(format: format)
        return try await VariantOnDemand(service: service)
            .variant(spec, of: image, sourceFormat: sourceFormat, waitLimit: .zero, logger: context.logger).variant
    }
}
