import Foundation
import FunctionRuntime
import Storage

/// The queue-triggered worker: makes the variant a job names (`VariantMaker`). A permanent failure (the source
/// does not decode, the spec does not fit) marks the variant failed and acknowledges the job; anything else
/// (storage down) throws, so the broker redelivers it. A job for a variant that is gone or done is a no-op.
struct TransformWorker: QueueHandler {
    let maker: VariantMaker

    init(environment: FunctionEnvironment) throws {
        let (postgres, store) = try environment.require(.database, .objectStore)
        maker = VariantMaker(
            images: ImageRepository(client: postgres, logger: environment.logger), store: store,
            cache: environment.objectCache, webhooks: WebhookDispatch(ifConfiguredIn: environment)
        )
    }

    func handle(_ message: RabbitMQEvent.Message, context: InvocationContext) async throws {
        guard let job = TransformJob(message) else {
            context.logger.error("job dropped: not a transform job")
            return  // a malformed job can never succeed: acknowledge it
        }
        InvocationRecord.noteUser(job.owner_id.uuidString.lowercased())
        var logger = context.logger
        logger[metadataKey: "image.id"] = .string(job.variant_id.uuidString.lowercased())
        _ = try await maker.make(job.variant_id, owner: job.owner_id, logger: logger)
    }
}
