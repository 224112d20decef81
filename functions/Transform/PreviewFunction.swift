import Foundation
import FunctionRuntime
import Imaging
import Storage

/// `POST /images/{id}/preview` `{"transformations": {...}}`: what the transformations make of the image, rendered
/// within the request and stored nowhere, for a form's live preview. At most `maxSide` px a side (a larger
/// result is scaled down to fit), `Cache-Control: no-store`, and an allowance of its own (`RATE_LIMIT_PREVIEWS`),
/// so previews never spend the transforms allowance, the quota or the usage. Refused transformations are the
/// same 422 as `POST /images/{id}/transform`'s, and cost nothing.
struct PreviewFunction: APIFunction {
    /// A preview's longest side: enough for a screen's preview pane, small enough that every format's answer
    /// fits a buffered Lambda response (800 × 800 RGBA TIFF is 2.6 MB).
    static let maxSide = 800

    let service: ImageService
    let accounts: AccountService
    let limiter: RateLimiter
    let policy: RateLimitPolicy

    init(environment: FunctionEnvironment) async throws {
        service = try await ImageService(environment: environment)
        accounts = try await AccountService(environment: environment)
        limiter = try RateLimiter(environment: environment)
        policy = environment.configuration.rateLimits.previews
    }

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .scope(.transform))
        let source = try await service.image(request.pathParameters?["id"], of: user.id)
        let body = try RequestBody.json(request)
        let parsed = try SourceSpec.parsed(body: body, for: source)
        guard source.status == .ready, let sourceFormat = ImageFormat(rawValue: source.format), let key = source.objectKey else {
            throw APIError(.invalidTransformation, "the source image is not ready yet")
        }
        let resolved = SourceSpec.resolved(parsed, for: source, sourceFormat: sourceFormat, accept: request.header("accept"))
        let spec = try SourceSpec.normalized(resolved, sourceFormat: sourceFormat, in: .json)
        var headers = try await limiter.admit(policy, subject: user.id.uuidString.lowercased(), context: context)

        let bytes = try await InvocationRecord.stage("s3.get") { try await service.objects.object(key, hash: source.contentHash, from: service.store) }
        let bound = try TransformationParsing.parse(urlOptions: "w_\(Self.maxSide),h_\(Self.maxSide),fit_inside")
        let result: EncodedImage
        do {
            result = try await InvocationRecord.stage("imaging") {
                try await offloaded {
                    let made = try ImageProcessor.process(try ImageSource(bytes: [UInt8](bytes)), spec: spec)
                    guard max(made.width, made.height) > Self.maxSide else { return made }
                    return try ImageProcessor.process(try ImageSource(bytes: made.bytes), spec: bound)
                }
            }
        } catch let error as ImagingError {
            // What cannot be made now could not be made as a variant either: the client's request, not ours.
            await limiter.refund(policy, subject: user.id.uuidString.lowercased())
            throw error
        }
        headers["content-type"] = result.format.contentType
        headers["cache-control"] = "no-store"
        headers["x-content-type-options"] = "nosniff"
        headers["x-image-width"] = String(result.width)
        headers["x-image-height"] = String(result.height)
        return APIGatewayV2Response(statusCode: 200, headers: headers, binaryBody: Data(result.bytes))
    }
}
