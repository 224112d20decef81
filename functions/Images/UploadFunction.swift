import FunctionRuntime
import Storage

/// `POST /images` (multipart or raw body) and `POST /images/upload` (base64 JSON): 201 with the `Image` and
/// its `Location`. Rate limited per user (429).
struct UploadFunction: APIFunction {
    let service: ImageService
    /// Who is asking: the bearer token\'s user.
    let accounts: AccountService
    let limiter: RateLimiter
    let policy: RateLimitPolicy

    init(environment: FunctionEnvironment) async throws {
        service = try await ImageService(environment: environment)
        accounts = try await AccountService(environment: environment)
        limiter = try RateLimiter(environment: environment)
        policy = environment.configuration.rateLimits.uploads
    }

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .scope(.imagesWrite))
        let upload = try Upload.read(request, base64JSON: request.rawPath.hasSuffix("/upload"))
        // Checked once the image is known to be valid (invalid uploads cost no allowance), before it is stored.
        let subject = user.id.uuidString.lowercased()
        var limitHeaders: [String: String]?
        let image: ImageRecord
        do {
            image = try await service.storeOriginal(bytes: upload.bytes, filename: upload.filename, owner: user.id) {
                limitHeaders = try await limiter.admit(policy, subject: subject, context: context)
            }
        } catch where limitHeaders != nil && error.asAPIError?.code == .unavailable {
            // Admitted, then the store or the database failed: the attempt costs the client nothing.
            await limiter.refund(policy, subject: subject)
            throw error
        }
        return .json(
            ImageJSON(image), status: 201,
            headers: ["location": "/images/\(image.id.uuidString.lowercased())"].merging(limitHeaders ?? [:]) { $1 }
        )
    }
}
