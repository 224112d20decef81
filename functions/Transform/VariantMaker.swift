import Foundation
import FunctionRuntime
import Imaging
import Logging
import Storage

/// Makes one recorded variant: reads its source, runs the imaging, stores the result and marks the row. The
/// one imaging path of variants, whoever asks: the queue worker, a URL transformation made within its request
/// and a `?format=` conversion. Idempotent: a variant that is gone or already done is left alone, and the
/// object key follows from the source and spec hash, so making it twice writes the same object.
struct VariantMaker: Sendable {
    let images: ImageRepository
    let store: S3Client
    let cache: ObjectCache
    /// Queues the webhook deliveries a settled variant's trigger recorded; nil without a broker.
    let webhooks: WebhookDispatch?
    /// The owner's storage quota: a variant that would pass it is not stored, and fails `quota_exceeded`.
    let quota: StorageQuota

    enum Outcome: Sendable {
        /// Made now; the row as it is marked.
        case ready(ImageRecord)
        /// It cannot be made (the source does not decode, the spec does not fit it, the original's bytes are
        /// gone): the row is marked failed with the reason.
        case failed(VariantFailure)
        /// Nothing to do: the variant or its source is gone, or it is done already.
        case skipped
    }

    /// Makes the variant `id` of `owner`. Throws only what a retry may cure (storage unreachable); the row then
    /// stays queued or processing, and its outbox row or job brings it back. `claimed` is the claim of a
    /// variant recorded as being made in the same statement (`insertClaimedVariant`); without it, the variant
    /// is claimed here.
    func make(_ id: UUID, owner: UUID, claimed: ImageRepository.VariantClaim? = nil, logger: Logger) async throws -> Outcome {
        let (outcome, ownerHasWebhooks) = try await settle(id, owner: owner, claimed: claimed, logger: logger)
        switch outcome {
        case .ready, .failed: if ownerHasWebhooks { await webhooks?.queueRecorded(for: id, logger: logger) }
        case .skipped: break
        }
        return outcome
    }

    /// The outcome, and whether the owner may have webhook deliveries recorded for it (a ready mark says; a
    /// failure is rare enough to look).
    private func settle(_ id: UUID, owner: UUID, claimed: ImageRepository.VariantClaim?, logger: Logger) async throws -> (Outcome, Bool) {
        let found: ImageRepository.VariantClaim?
        if let claimed {
            found = claimed
        } else {
            found = try await InvocationRecord.stage("sql.claim") { try await images.claimForMaking(id, owner: owner) }
        }
        guard let claim = found else {
            logger.debug("variant skipped: it, or its source, is gone or done")
            return (.skipped, false)
        }
        let (sourceID, specJSON, hash) = (claim.sourceID, claim.transformations, claim.specHash)
        let spec: TransformationSpec
        do {
            spec = try JSONDecoder().decode(TransformationSpec.self, from: Data(specJSON.utf8))
        } catch {
            return (try await fail(id, VariantFailure(ImagingError(.invalidTransformation, "the stored transformations could not be read"))), true)
        }
        let bytes: Data
        do {
            bytes = try await cache.object(claim.sourceKey, hash: claim.sourceContentHash, from: store)
        } catch let error as StorageError where error.code == .notFound {
            // The original's bytes are gone from the store: no retry can make this variant. Both rows say so.
            let failure = VariantFailure.originalMissing
            logger.error("a variant's original has no bytes in the object store", metadata: ["source.id": "\(sourceID.uuidString.lowercased())"])
            try await images.markBytesMissing(sourceID)
            return (try await fail(id, failure), true)
        }
        let result: EncodedImage
        let started = ContinuousClock.now
        do {
            result = try await InvocationRecord.stage("imaging") {
                try await offloaded { try ImageProcessor.process(try ImageSource(bytes: bytes), spec: spec) }
            }
        } catch let error as ImagingError {
            logger.warning("variant failed", metadata: ["error.code": "\(error.code)", "error.detail": "\(error.detail ?? "")"])
            return (try await fail(id, VariantFailure(error)), true)
        }
        ServiceMetrics.record("imagefunctions_imaging_seconds", (ContinuousClock.now - started).seconds, "variant")
        if quota.limit != nil, !DisplayRendition.isRendition(specHash: hash) {
            let stored = try await InvocationRecord.stage("sql.quota") { try await images.storedBytes(owner: owner, excluding: id) }
            if let refused = quota.refusal(stored: stored, adding: result.bytes.count, what: "this variant") {
                logger.notice("variant refused: it would pass the owner's storage quota")
                return (try await fail(id, VariantFailure(code: refused.code.rawValue, message: refused.message)), true)
            }
        }
        let key = ObjectKeys.variant(owner: owner, source: sourceID, specHash: hash)
        let data = Data(result.bytes)
        try await InvocationRecord.stage("s3.put") {
            try await store.putObject(key: key, body: data, contentType: result.format.contentType)
        }
        let contentHash = ImageService.contentHash(result.bytes)
        // Whoever asked for it is likely to fetch it next (a URL transformation serves it at once).
        cache.keep(data, key: key, hash: contentHash)
        let marked = try await InvocationRecord.stage("sql.ready") {
            try await images.markReady(
                id, width: result.width, height: result.height, sizeBytes: result.bytes.count, objectKey: key,
                contentHash: contentHash
            )
        }
        guard let marked else {
            // The image was deleted while the variant was being made: take back what was just written.
            try await store.deleteObject(key: key)
            logger.debug("variant dropped: the image was deleted meanwhile")
            return (.skipped, false)
        }
        ServiceMetrics.count("imagefunctions_variants_made_total")
        return (.ready(marked.image), marked.ownerHasWebhooks)
    }

    /// Marks the variant failed with the reason and counts it, whichever step found it could not be made.
    private func fail(_ id: UUID, _ failure: VariantFailure) async throws -> Outcome {
        _ = try await images.markFailed(id, code: failure.code, message: failure.message)
        ServiceMetrics.count("imagefunctions_variants_failed_total", failure.code)
        return .failed(failure)
    }
}

extension VariantMaker {
    /// The maker of the image functions that make variants within a request (URL transformations,
    /// conversions, lost variants made again), from their shared service.
    init(service: ImageService) {
        self.init(images: service.images, store: service.store, cache: service.objects, webhooks: service.webhooks, quota: service.quota)
    }
}
