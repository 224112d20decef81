import Foundation
import FunctionRuntime
import Storage

/// Consumes the transform queue's dead letters: jobs the worker failed on (crashed, timed out, or threw) on
/// every delivery up to the limit. Their variant is marked `failed` with `transformation_abandoned`, so a client
/// polling it gets an answer instead of 202 forever (and its webhooks a `variant.failed`). A variant that got
/// made after all stays `ready`.
struct DeadLetterFunction: QueueHandler {
    static let code = "transformation_abandoned"
    static let reason = "the transformation failed on every attempt and was abandoned; try another spec or image"

    let images: ImageRepository
    let webhooks: WebhookDispatch?

    init(environment: FunctionEnvironment) throws {
        images = ImageRepository(client: try environment.require(.database), logger: environment.logger)
        webhooks = WebhookDispatch(ifConfiguredIn: environment)
    }

    func handle(_ message: RabbitMQEvent.Message, context: InvocationContext) async throws {
        guard let job = TransformJob(message) else {
            context.logger.error("dead letter dropped: not a transform job")
            return
        }
        let failed = try await images.markFailed(job.variant_id, code: Self.code, message: Self.reason)
        if failed != nil { ServiceMetrics.count("imagefunctions_variants_failed_total", Self.code) }
        if failed != nil { await webhooks?.queueRecorded(for: job.variant_id, logger: context.logger) }
        context.logger.warning(
            "transform job dead-lettered",
            metadata: ["image.id": "\(job.variant_id.uuidString.lowercased())", "marked_failed": "\(failed != nil)"]
        )
    }
}
