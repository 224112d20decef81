import Foundation
import FunctionRuntime
import Imaging
import Logging
import Storage

/// A variant asked for by a GET (a URL transformation, a `?format=` conversion): the existing one, or one
/// recorded and made within the request by the same `VariantMaker` the queue worker runs.
///
/// The new variant is recorded with its outbox row, as a queued transformation is, and the outbox row is
/// cleared only once the variant is ready or failed. So if the request dies midway (a timeout, a crash, the
/// store down), the sweeper publishes the job and the worker finishes it: no accepted work is lost. Identical
/// requests at once record one variant (the unique source and spec hash); the others wait for it.
struct VariantOnDemand: Sendable {
    let images: ImageRepository
    let maker: VariantMaker
    let quota: StorageQuota

    init(service: ImageService) {
        images = service.images
        quota = service.quota
        maker = VariantMaker(service: service)
    }

    /// The variant of `spec` (normalized) of the ready image `source`, ready or failed if that happened within
    /// `waitLimit`, else as it is (queued or processing). `admitNewWork` runs before anything new is recorded
    /// (the rate limit): nothing it refuses is written, and a variant that already exists costs nothing.
    /// `lookedUp` is the caller's own lookup of this spec's hash, when it made one (nil inside: none found).
    /// `display` asks for the display rendition of the spec (the service's own: its own identity, no quota).
    func variant(
        _ spec: TransformationSpec, of source: ImageRecord, sourceFormat: ImageFormat, waitLimit: Duration, logger: Logger,
        lookedUp: ImageRecord?? = .none, display: Bool = false, admitNewWork: () async throws -> Void = {}
    ) async throws -> (variant: ImageRecord, madeNow: Bool) {
        let hash = display ? DisplayRendition.specHash(spec) : spec.hash
        let found: ImageRecord?
        if let lookedUp {
            found = lookedUp
        } else {
            found = try await InvocationRecord.stage("sql.variant") {
                try await images.variant(of: source.id, specHash: hash, owner: source.ownerID)
            }
        }
        if let existing = found, !(try await quota.forgets(existing, images: images)) {
            return (try await settled(existing, waitLimit: waitLimit), false)
        }
        if !display { try await quota.admitNewVariant(owner: source.ownerID, images: images) }
        try await admitNewWork()
        var candidate = ImageService.queuedVariant(of: source, spec: spec, sourceFormat: sourceFormat)
        candidate.specHash = hash
        guard let sourceKey = source.objectKey else { throw APIError(.notFound, "no such image") }
        // Recorded and claimed in one statement: this request makes it.
        let claim = try await InvocationRecord.stage("sql.insert") {
            try await images.insertClaimedVariant(candidate, sourceKey: sourceKey, sourceContentHash: source.contentHash, display: display)
        }
        guard let claim else {
            // Another request recorded it first: wait for that one.
            guard let recorded = try await images.variant(of: source.id, specHash: hash, owner: source.ownerID) else {
                throw APIError(.unavailable, "the image cannot be made right now; try again shortly")
            }
            return (try await settled(recorded, waitLimit: waitLimit), false)
        }

        var logger = logger
        logger[metadataKey: "image.id"] = .string(claim.variantID.uuidString.lowercased())
        let outcome: VariantMaker.Outcome
        do {
            outcome = try await maker.make(claim.variantID, owner: source.ownerID, claimed: claim, logger: logger)
        } catch {
            // Left queued with its outbox row: the sweeper hands it to the worker.
            throw APIError(.unavailable, "the image cannot be made right now; try again shortly", underlying: error)
        }
        // Ready or failed, the outbox row went with the mark; deleted, it went with the row.
        switch outcome {
        case .ready(let made):
            return (made, true)
        case .failed, .skipped:
            // Failed (its row says why), or deleted meanwhile.
            guard let now = try await images.find(claim.variantID, owner: source.ownerID) else {
                throw APIError(.notFound, "no such image")
            }
            return (now, true)
        }
    }

    /// The variant once it is ready or failed, waiting up to `waitLimit` for a queued or processing one.
    func settled(_ variant: ImageRecord, waitLimit: Duration) async throws -> ImageRecord {
        guard variant.status == .queued || variant.status == .processing, waitLimit > .zero else { return variant }
        return try await InvocationRecord.stage("wait") {
            try await VariantWait.result(variant.id, owner: variant.ownerID, images: images, upTo: waitLimit) ?? variant
        }
    }
}
