import Foundation
import FunctionRuntime
import Imaging
import Messaging
import Storage

/// `POST /images/{id}/transform` `{"transformations": {...}}`. A new spec is recorded as a queued variant and
/// its job published (with a publisher confirm): 202 with the variant. The same normalized spec of the same
/// source answers 200 with the existing variant, and no new work. `Prefer: wait=N` (N capped at 30; a bare
/// `Prefer: wait` is 10) waits for the result until 2 s before the function's deadline: 201 with a new variant
/// finished in time, 200 with an existing one once it is ready or failed (one being made by an earlier request
/// is waited for alike), else 202. New work is rate limited per user (429).
struct TransformFunction: APIFunction {
    let service: ImageService
    /// Who is asking: the bearer token\'s user.
    let accounts: AccountService
    let publisher: JobPublisher
    let queue: String
    let limiter: RateLimiter
    let policy: RateLimitPolicy

    init(environment: FunctionEnvironment) async throws {
        service = try await ImageService(environment: environment)
        accounts = try await AccountService(environment: environment)
        limiter = try RateLimiter(environment: environment)
        policy = environment.configuration.rateLimits.transforms
        publisher = try environment.require(.broker)
        queue = environment.configuration.transformQueue
    }

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .scope(.transform))
        let source = try await service.image(request.pathParameters?["id"], of: user.id)
        let body = try RequestBody.json(request)
        let parsed = try SourceSpec.parsed(body: body, for: source)
        guard source.status == .ready, let sourceFormat = ImageFormat(rawValue: source.format) else {
            throw APIError(.invalidTransformation, "the source image is not ready yet")
        }
        // "format": "auto" picks from this request's Accept, as fmt_auto does; "dpr" scales the sizes.
        let resolved = SourceSpec.resolved(parsed, for: source, sourceFormat: sourceFormat, accept: request.header("accept"))
        let spec = try SourceSpec.normalized(resolved, sourceFormat: sourceFormat, in: .json)

        let location = { (id: UUID) in ["location": "/images/\(id.uuidString.lowercased())"] }
        let wait = WaitPreference.preferredWait(request).map { WaitPreference.waitLimit($0, context: context) } ?? .zero
        // The same work asked for before is answered from the existing variant, and costs no allowance.
        if let existing = try await service.images.variant(of: source.id, specHash: spec.hash, owner: user.id),
            !(try await service.quota.forgets(existing, images: service.images))
        {
            return try await existingAnswer(existing, waiting: wait, headers: location(existing.id))
        }
        try await service.quota.admitNewVariant(owner: user.id, images: service.images)
        let limitHeaders = try await limiter.admit(policy, subject: user.id.uuidString.lowercased(), context: context)

        let candidate = ImageService.queuedVariant(of: source, spec: spec, sourceFormat: sourceFormat)
        // The variant and its outbox row are one statement: a crash after it leaves a job the sweeper publishes.
        let (variant, created): (ImageRecord, Bool)
        do {
            (variant, created) = try await InvocationRecord.stage("sql.insert") { try await service.images.insertQueuedVariant(candidate) }
        } catch {
            await limiter.refund(policy, subject: user.id.uuidString.lowercased())
            throw error
        }
        guard created else {
            return try await existingAnswer(variant, waiting: wait, headers: location(variant.id).merging(limitHeaders) { $1 })
        }
        do {
            try await InvocationRecord.stage("publish") { try await TransformJob(variant_id: variant.id, owner_id: user.id).publish(with: publisher, to: queue) }
        } catch {
            // The broker refused or is down: take the variant back (its outbox row goes with it), so a retry
            // starts clean. Should that fail too, the outbox row stays and the sweeper publishes the job.
            try? await service.images.deleteQueued(variant.id)
            await limiter.refund(policy, subject: user.id.uuidString.lowercased())
            throw APIError(.unavailable, "transformations cannot be queued right now; try again shortly", underlying: error)
        }
        // Confirmed by the broker: the outbox row is done. If this fails the sweeper republishes once, which
        // the worker takes as a no-op.
        try? await service.images.jobPublished(variant.id)
        let headers = location(variant.id).merging(limitHeaders) { $1 }
        if wait > .zero, let done = try await settled(variant, waiting: wait) {
            return .json(ImageJSON(done), status: done.status == .ready ? 201 : 202, headers: headers)
        }
        return .json(ImageJSON(variant), status: 202, headers: headers.merging(["retry-after": "1"]) { $1 })
    }

    /// An existing variant: 200 with it, as it is. With `Prefer: wait`, one still being made is waited for as a
    /// new one is: 200 once it is ready or failed, or 202 with `Retry-After` when the wait runs out.
    func existingAnswer(_ variant: ImageRecord, waiting wait: Duration, headers: [String: String]) async throws -> APIGatewayV2Response {
        guard wait > .zero, variant.status == .queued || variant.status == .processing else {
            return .json(ImageJSON(variant), status: 200, headers: headers)
        }
        guard let done = try await settled(variant, waiting: wait) else {
            return .json(ImageJSON(variant), status: 202, headers: headers.merging(["retry-after": "1"]) { $1 })
        }
        return .json(ImageJSON(done), status: 200, headers: headers)
    }

    /// The variant once ready or failed within `wait`, else nil.
    func settled(_ variant: ImageRecord, waiting wait: Duration) async throws -> ImageRecord? {
        try await InvocationRecord.stage("wait") {
            try await VariantWait.result(variant.id, owner: variant.ownerID, images: service.images, upTo: wait)
        }
    }
}
