import Foundation
import FunctionRuntime
import Imaging
import Storage

/// `POST /images/uploads` `{"size_bytes": N, "filename"?: name}`: the way in for images of any size up to the
/// limit, since Lambda takes at most 6 MB per request. Answers 201 with a presigned PUT of a fresh object
/// key, valid for `S3_PRESIGN_UPLOAD_SECONDS`; `size_bytes` is signed in as `Content-Length`, so the store
/// takes exactly that many bytes. `POST /images/uploads/{id}/complete` then makes the image. Rate limited
/// with the uploads policy (the completion does not count again).
struct PresignedUploadFunction: APIFunction {
    let service: ImageService
    /// Who is asking: the bearer token\'s user.
    let accounts: AccountService
    let uploads: UploadRepository
    let limiter: RateLimiter
    let policy: RateLimitPolicy

    init(environment: FunctionEnvironment) async throws {
        service = try await ImageService(environment: environment)
        accounts = try await AccountService(environment: environment)
        uploads = UploadRepository(client: try environment.require(.database), logger: environment.logger)
        limiter = try RateLimiter(environment: environment)
        policy = environment.configuration.rateLimits.uploads
    }

    struct Answer: Encodable {
        var id: String
        var method = "PUT"
        var upload_url: String
        /// Headers the PUT must carry exactly (they are signed).
        var headers: [String: String]
        var expires_at: String
        var max_bytes: Int
        var complete_url: String
    }

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .scope(.imagesWrite))
        let (size, filename) = try Self.parse(RequestBody.json(request).objectFields(), maxBytes: service.limits.maxBytes)
        // The declared size, checked before anything can be PUT (completing checks the stored bytes again).
        try await service.quota.admit(size, owner: user.id, images: service.images, what: "this upload")
        let limitHeaders = try await limiter.admit(policy, subject: user.id.uuidString.lowercased(), context: context)

        let id = UUID()
        let key = ObjectKeys.upload(owner: user.id, upload: id)
        let lifetime = service.presignedUploadSeconds
        let now = Date()
        let expires = now.addingTimeInterval(Double(lifetime))
        do {
            try await uploads.create(UploadRecord(
                id: id, ownerID: user.id, objectKey: key, filename: filename, sizeBytes: size, expiresAt: expires
            ))
        } catch {
            await limiter.refund(policy, subject: user.id.uuidString.lowercased())
            throw error
        }
        let url = service.store.presignedURL(.PUT, key: key, expires: lifetime, headers: [("content-length", String(size))], date: now)
        let idText = id.uuidString.lowercased()
        return .json(
            Answer(
                id: idText, upload_url: url, headers: ["content-length": String(size)], expires_at: expires.ISO8601Format(),
                max_bytes: service.limits.maxBytes, complete_url: "/images/uploads/\(idText)/complete"
            ),
            status: 201, headers: limitHeaders
        )
    }

    /// `size_bytes` (1 to the image limit; over it, 413) and an optional `filename`; every bad field named.
    static func parse(_ fields: [String: JSONValue], maxBytes: Int) throws(APIError) -> (size: Int, filename: String?) {
        var errors: [Problem.FieldError] = []
        for key in fields.keys.sorted() where key != "size_bytes" && key != "filename" {
            errors.append(.init(field: key, message: "unknown field"))
        }
        var filename: String?
        switch fields["filename"] {
        case .string(let name): filename = name
        case nil, .null: break
        default: errors.append(.init(field: "filename", message: "must be a string"))
        }
        var size: Int?
        switch fields["size_bytes"] {
        case .number(let n) where n.rounded() == n && n >= 1 && n <= 1e15:
            size = Int(n)
        case nil:
            errors.append(.init(field: "size_bytes", message: "is required: the exact size of the image in bytes"))
        default:
            errors.append(.init(field: "size_bytes", message: "must be a whole number of bytes, at least 1"))
        }
        guard errors.isEmpty, let size else { throw APIError.validation(errors) }
        guard size <= maxBytes else {
            throw APIError(.payloadTooLarge, "the image is over the \(maxBytes / 1_000_000) MB limit")
        }
        return (size, filename)
    }
}
