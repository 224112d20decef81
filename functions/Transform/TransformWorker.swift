import Foundation
import FunctionRuntime
import Storage

/// The queue-triggered worker: makes the variant a job names (`VariantMaker`). A permanent failure (the source
/// does not decode, the spec does not fit) marks the variant failed and acknowledges the job; anything else
/// (storage down) is tried again in the invocation while it has time, then thrown, so the broker redelivers
/// it. A job for a variant that is gone or done is a no-op.
struct TransformWorker: QueueHandler {
    let maker: VariantMaker
    /// How long a delivery tries again while a dependency is down (`TRANSFORM_RETRY_SECONDS`).
    let retryWindow: Duration

    init(environment: FunctionEnvironment) throws {
        let (postgres, store) = try environment.require(.database, .objectStore)
        maker = VariantMaker(
            images: ImageRepository(client: postgres, logger: environment.logger), store: store,
            cache: environment.objectCache, webhooks: WebhookDispatch(ifConfiguredIn: environment),
            quota: StorageQuota(limit: environment.configuration.storageQuotaBytes)
        )
        retryWindow = .seconds(environment.configuration.transformRetrySeconds)
    }

    func handle(_ message: RabbitMQEvent.Message, context: InvocationContext) async throws {
        guard let job = TransformJob(message) else {
            context.logger.error("job dropped: not a transform job")
            return  // a malformed job can never succeed: acknowledge it
        }
        InvocationRecord.noteUser(job.owner_id.uuidString.lowercased())
        var logger = context.logger
        logger[metadataKey: "image.id"] = .string(job.variant_id.uuidString.lowercased())
        var pause = Self.firstPause
        let giveUp = ContinuousClock.now + retryWindow
        while true {
            do {
                _ = try await maker.make(job.variant_id, owner: job.owner_id, logger: logger)
                return
            } catch {
                // A dependency that is down (the store, the database) fails this attempt, not the job: it is
                // tried again here, with back-off, while the invocation has time for a whole attempt. Thrown
                // back at once, each delivery failed within milliseconds, and a 45 s outage used up the job's
                // deliveries and dead-lettered it as abandoned (the fault suite's S3 outage: 14 of 135).
                guard ContinuousClock.now + pause < giveUp, context.remainingTime > pause + Self.attemptBudget, !Task.isCancelled else {
                    throw error
                }
                logger.warning("attempt failed; trying again", metadata: ["error.detail": "\(String(reflecting: error))", "retry.in": "\(pause)"])
                try await Task.sleep(for: pause)
                pause = min(pause * 2, Self.longestPause)
            }
        }
    }

    /// Time kept for one attempt (the largest images take a few seconds to make) before another is started.
    static let attemptBudget: Duration = .seconds(15)
    static let firstPause: Duration = .seconds(1)
    static let longestPause: Duration = .seconds(8)
}
