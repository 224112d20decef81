import Foundation
import FunctionRuntime
import Imaging
import Storage

/// `POST /images/uploads/{id}/complete`: the bytes PUT with the presigned URL are checked exactly as a
/// direct upload's are (sniffed, limits, decoded, metadata stripped, turned upright), stored as the original
/// and the image created: 201 `Image` with `Location`. Completing again answers 200 with the same image.
/// Invalid bytes are deleted and answered with their problem (the upload may be PUT and completed again
/// while its URL lasts); nothing uploaded yet is a 409 `upload_not_received`.
struct CompleteUploadFunction: APIFunction {
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

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .scope(.imagesWrite))
        guard let id = request.pathParameters?["id"].flatMap(UUID.init(pathID:)) else {
            throw APIError(.notFound, "no such upload")
        }
        let upload: UploadRecord
        switch try await uploads.claim(id, owner: user.id) {
        case .notFound:
            throw APIError(.notFound, "no such upload")
        case .completed(let imageID):
            guard let imageID, let image = try await service.images.find(imageID, owner: user.id) else {
                throw APIError(.notFound, "the image of this upload has been deleted")
            }
            return .json(ImageJSON(image), status: 200, headers: Self.location(image))
        case .inProgress:
            throw APIError(
                .uploadInProgress, "this upload is being completed by another request",
                headers: ["retry-after": "1"]
            )
        case .claimed(let claimed):
            upload = claimed
        }

        let image: ImageRecord
        do {
            image = try await store(upload)
        } catch {
            try? await uploads.release(upload.id)
            if let refused = error.asAPIError, refused.code != .unavailable, refused.code != .uploadNotReceived {
                // The bytes are refused: they go, and the attempt costs the client no allowance.
                try? await service.store.deleteObject(key: upload.objectKey)
                await limiter.refund(policy, subject: user.id.uuidString.lowercased())
            }
            throw error
        }
        try await uploads.complete(upload.id, imageID: image.id)
        // The original has its own object now; the sweeper removes this one if the delete fails.
        try? await service.store.deleteObject(key: upload.objectKey)
        return .json(ImageJSON(image), status: 201, headers: Self.location(image))
    }

    func store(_ upload: UploadRecord) async throws -> ImageRecord {
        let limit = service.limits.maxBytes
        guard let size = try await service.store.objectSize(key: upload.objectKey) else {
            throw APIError(
                .uploadNotReceived,
                "nothing has been uploaded with this upload's URL yet: PUT the image to upload_url, then complete"
            )
        }
        guard size <= limit else { throw APIError(.payloadTooLarge, "the image is over the \(limit / 1_000_000) MB limit") }
        // S3 refuses a presigned PUT of another length than the signed one; this is defence in depth against
        // bytes that reached the key another way (tested both ways).
        guard size == upload.sizeBytes else {
            throw APIError.validation([.init(field: "size_bytes", message: "the uploaded object is \(size) bytes, not the declared \(upload.sizeBytes)")])
        }
        let bytes = try await service.store.getObject(key: upload.objectKey, maxBytes: limit)
        return try await service.storeOriginal(bytes: [UInt8](bytes), filename: upload.filename, owner: upload.ownerID)
    }

    static func location(_ image: ImageRecord) -> [String: String] {
        ["location": "/images/\(image.id.uuidString.lowercased())"]
    }
}
