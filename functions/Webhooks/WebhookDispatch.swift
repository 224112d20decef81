import Foundation
import FunctionRuntime
import Logging
import Messaging
import Storage

/// Hands deliveries to the webhook queue. A delivery's message is only its id (`WebhookJob`); the row says
/// everything else, so a late or repeated message works from the current state. Publishing is best effort
/// here: the row is already committed, and the sweeper queues any delivery whose message never arrived.
struct WebhookDispatch: Sendable {
    let webhooks: WebhookRepository
    let publisher: JobPublisher
    let topology: QueueTopology

    /// The dispatch of a function that must queue deliveries (the webhook worker, the sweeper).
    init(environment: FunctionEnvironment) throws {
        let (postgres, publisher) = try environment.require(.database, .broker)
        webhooks = WebhookRepository(client: postgres, logger: environment.logger)
        self.publisher = publisher
        topology = environment.webhookTopology
    }

    /// The dispatch of a function that queues deliveries when it can (variants made within a request): nil
    /// without a broker, and the sweeper queues them later.
    init?(ifConfiguredIn environment: FunctionEnvironment) {
        try? self.init(environment: environment)
    }

    /// Queues the deliveries the trigger recorded when `image` became ready or failed (none unless its owner
    /// has webhooks). Never throws: what fails here, the sweeper queues later.
    func queueRecorded(for image: UUID, logger: Logger) async {
        do {
            let ids = try await InvocationRecord.stage("sql.webhooks") { try await webhooks.queueRecorded(image: image) }
            for id in ids { try await publish(id) }
        } catch {
            logger.warning("webhook deliveries left for the sweeper", metadata: ["image.id": "\(image)", "error.message": "\(error)"])
        }
    }

    /// Publishes one delivery, now or through the delay queue of `delaySeconds`.
    func publish(_ delivery: UUID, delaySeconds: Int? = nil) async throws {
        let queue = delaySeconds.map { topology.delayQueue(seconds: $0) } ?? topology.queue
        try await publisher.publish(
            [UInt8](JSONEncoder().encode(WebhookJob(delivery_id: delivery))), to: queue, messageID: delivery.uuidString.lowercased()
        )
    }
}

/// The message of a webhook delivery.
struct WebhookJob: Codable, Sendable {
    var delivery_id: UUID

    init(delivery_id: UUID) { self.delivery_id = delivery_id }

    init?(_ message: RabbitMQEvent.Message) {
        guard let job = message.decoded(as: Self.self) else { return nil }
        self = job
    }
}
