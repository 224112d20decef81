import Foundation
import FunctionRuntime
import Imaging
import Messaging
import Storage

/// The scheduled clean-up that makes "no accepted work is lost" hold after crashes:
/// 1. outbox jobs the broker never confirmed (a crash between commit and publish, a lost confirm) are
///    published again; the worker is idempotent, so a job published twice is made once;
/// 2. stored objects no row references (an upload that died between its object and its row) are deleted once
///    they are older than the grace period;
/// 3. rate-limit rows whose allowance is full again are deleted;
/// 4. presigned uploads whose URL expired more than the grace period ago are forgotten, and their objects
///    (never completed, or left behind by a completion) are deleted like other orphans;
/// 5. webhook deliveries overdue by the outbox grace period (their message was never published, or was
///    lost or dead-lettered) are queued again; the worker's claim makes a duplicate message harmless.
/// 6. ready rows whose bytes the store does not have (deleted behind the service's back, a bucket restored
///    from an older backup), found from the same listing as the orphans once it is complete: a variant is
///    queued to be made again from its original; an original is marked `bytes_missing` (and so is a variant
///    of one); a marked row whose bytes are back has its mark cleared;
/// 7. JPEG originals stored before fast masters, a few each run: a progressive one is rewritten losslessly as
///    a baseline master (the same pixels, decoded 2-3x faster by every later variant) under a new key, and
///    its row moved to it; the old object goes with the next orphan pass.
/// 8. the service's gauges (`ServiceMetrics`): bytes stored by kind, the transforms queued and the age of the
///    oldest.
/// Each part runs even when another fails; the output counts what was done.
struct SweeperFunction: InvocationHandler {
    let images: ImageRepository
    let uploads: UploadRepository
    let rateLimits: RateLimitStore
    let store: S3Client
    let publisher: JobPublisher
    let queue: String
    let settings: SweeperSettings
    let webhooks: WebhookDispatch
    /// Bounds one run, so a huge backlog is worked through over several runs within the timeout.
    static let maxJobsPerRun = 2000
    static let maxListingPagesPerRun = 50
    /// Each is read, rewritten and stored again: about a second for a 20 MP photo.
    static let maxRemastersPerRun = 20

    struct Report: Codable, Sendable {
        var republished = 0
        var republish_failed = 0
        var orphans_deleted = 0
        var objects_checked = 0
        var rate_limits_deleted = 0
        var uploads_expired = 0
        var webhook_deliveries_requeued = 0
        var variants_remade = 0
        var bytes_missing_marked = 0
        var bytes_missing_cleared = 0
        var masters_checked = 0
        var originals_remastered = 0
        var errors: [String] = []
    }

    init(environment: FunctionEnvironment) throws {
        let (postgres, store, publisher) = try environment.require(.database, .objectStore, .broker)
        images = ImageRepository(client: postgres, logger: environment.logger)
        uploads = UploadRepository(client: postgres, logger: environment.logger)
        rateLimits = RateLimitStore(client: postgres, logger: environment.logger)
        self.store = store
        self.publisher = publisher
        queue = environment.configuration.transformQueue
        settings = environment.configuration.sweeper
        webhooks = try WebhookDispatch(environment: environment)
    }

    func handle(_ event: Data, context: InvocationContext) async throws -> Data {
        var report = Report()
        do { try await republish(&report) } catch { report.errors.append("outbox: \(error)") }
        do { try await sweepOrphans(&report) } catch { report.errors.append("orphans: \(error)") }
        do { report.rate_limits_deleted = try await rateLimits.deleteExpired() } catch { report.errors.append("rate limits: \(error)") }
        do { report.uploads_expired = try await uploads.deleteExpired(olderThan: settings.orphanGraceSeconds) } catch {
            report.errors.append("uploads: \(error)")
        }
        do { try await requeueWebhookDeliveries(&report) } catch { report.errors.append("webhooks: \(error)") }
        do { try await remasterOriginals(&report) } catch { report.errors.append("masters: \(error)") }
        do { try await recordStatistics() } catch { report.errors.append("statistics: \(error)") }
        for failure in report.errors {
            context.logger.warning("sweep step failed; the next run tries again", metadata: ["error.message": "\(failure)"])
        }
        context.logger.info(
            "sweep done",
            metadata: [
                "republished": .stringConvertible(report.republished), "orphans_deleted": .stringConvertible(report.orphans_deleted),
                "objects_checked": .stringConvertible(report.objects_checked),
                "rate_limits_deleted": .stringConvertible(report.rate_limits_deleted),
                "uploads_expired": .stringConvertible(report.uploads_expired),
                "webhook_deliveries_requeued": .stringConvertible(report.webhook_deliveries_requeued),
                "variants_remade": .stringConvertible(report.variants_remade),
                "bytes_missing_marked": .stringConvertible(report.bytes_missing_marked),
                "originals_remastered": .stringConvertible(report.originals_remastered), "errors": .stringConvertible(report.errors.count),
            ]
        )
        return try JSONEncoder().encode(report)
    }

    func republish(_ report: inout Report) async throws {
        let jobs = try await images.claimPendingJobs(olderThan: settings.outboxGraceSeconds, limit: Self.maxJobsPerRun)
        for job in jobs {
            do {
                try await TransformJob(variant_id: job.variantID, owner_id: job.ownerID).publish(with: publisher, to: queue)
            } catch {
                // The broker is down: the remaining rows stay for the next run.
                report.republish_failed = jobs.count - report.republished
                throw error
            }
            try await images.jobPublished(job.variantID)
            report.republished += 1
        }
    }

    /// Originals stored before fast masters: each is read once; a progressive JPEG gets its lossless master.
    /// Bytes that are missing or do not decode are left as they are (the missing-bytes pass and the readers
    /// report those).
    func remasterOriginals(_ report: inout Report) async throws {
        for row in try await images.pendingMasters(limit: Self.maxRemastersPerRun) {
            report.masters_checked += 1
            guard let stored = try await bytes(at: row.objectKey) else {
                try await images.masterChecked(row.id)
                continue
            }
            // Not a progressive JPEG, or bytes that do not decode (their readers report those): nothing to do.
            let master = try? await offloaded { try ImageProcessor.remastered([UInt8](stored)) }
            guard let master else {
                try await images.masterChecked(row.id)
                continue
            }
            let key = ObjectKeys.master(owner: row.ownerID, image: row.id)
            try await store.putObject(key: key, body: Data(master), contentType: ImageFormat.jpeg.contentType)
            let moved = try await images.replaceMaster(
                row.id, oldKey: row.objectKey, newKey: key, sizeBytes: master.count, contentHash: ImageService.contentHash(master)
            )
            if moved { report.originals_remastered += 1 } else { try? await store.deleteObject(key: key) }
        }
    }

    /// An object's bytes, nil when the store has none under `key`.
    func bytes(at key: String) async throws -> Data? {
        do {
            return try await store.getObject(key: key)
        } catch where error.code == .notFound {
            return nil
        }
    }

    /// The service's gauges: bytes stored, and the transform backlog with the age of its oldest job.
    func recordStatistics() async throws {
        let statistics = try await images.statistics()
        ServiceMetrics.record("imagefunctions_bytes_stored", Double(statistics.originalBytes), "originals")
        ServiceMetrics.record("imagefunctions_bytes_stored", Double(statistics.variantBytes), "variants")
        ServiceMetrics.record("imagefunctions_transform_queue_depth", Double(statistics.queuedTransforms))
        ServiceMetrics.record("imagefunctions_transform_queue_oldest_seconds", statistics.oldestQueuedSeconds)
    }

    func requeueWebhookDeliveries(_ report: inout Report) async throws {
        let overdue = try await webhooks.webhooks.claimOverdue(grace: settings.outboxGraceSeconds, limit: Self.maxJobsPerRun)
        for id in overdue {
            // A failure leaves the rest marked queued now; they are overdue again after the grace period.
            try await webhooks.publish(id)
            report.webhook_deliveries_requeued += 1
        }
    }

    /// Originals before variants, so a variant of a missing original is not queued to be made from nothing.
    func sweepOrphans(_ report: inout Report) async throws {
        let cutoff = Date().addingTimeInterval(-settings.orphanGraceSeconds)
        for prefix in [ObjectKeys.originalsPrefix, ObjectKeys.variantsPrefix, ObjectKeys.uploadsPrefix] {
            var token: String?
            var pages = 0
            var present: [String] = []
            repeat {
                let page = try await store.listObjects(prefix: prefix, continuationToken: token)
                token = page.continuationToken
                pages += 1
                present += page.objects.map(\.key)
                let old = page.objects.filter { $0.lastModified < cutoff }.map(\.key)
                report.objects_checked += page.objects.count
                let unreferenced = prefix == ObjectKeys.uploadsPrefix
                    ? try await uploads.unreferencedKeys(old) : try await images.unreferencedKeys(old)
                for key in unreferenced {
                    try await store.deleteObject(key: key)
                    report.orphans_deleted += 1
                }
            } while token != nil && pages < Self.maxListingPagesPerRun
            // Only a complete listing says what is missing.
            if prefix != ObjectKeys.uploadsPrefix, token == nil { try await checkBytes(under: prefix, present: present, &report) }
        }
    }

    func checkBytes(under prefix: String, present: [String], _ report: inout Report) async throws {
        report.bytes_missing_cleared += try await images.clearBytesMissing(present: present)
        let missing = try await images.readyRowsWithoutBytes(
            prefix: prefix, present: present, grace: settings.orphanGraceSeconds, limit: Self.maxJobsPerRun
        )
        for row in missing {
            if row.sourceID != nil, try await images.requeueLostVariant(row.id) != nil {
                try await TransformJob(variant_id: row.id, owner_id: row.ownerID).publish(with: publisher, to: queue)
                try await images.jobPublished(row.id)
                report.variants_remade += 1
            } else {
                try await images.markBytesMissing(row.id)
                report.bytes_missing_marked += 1
            }
        }
    }
}
