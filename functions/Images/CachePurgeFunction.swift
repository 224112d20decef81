import Foundation
import FunctionRuntime
import Logging
import Messaging

/// Consumes the cache purge queue: each message names a deleted image whose answers the cache tier in front
/// may still hold. A purge the cache does not take throws, so the broker delivers the message again (and
/// dead-letters it after the delivery limit, where it stays to be seen). Without a cache tier configured, a
/// message is taken and dropped.
///
/// A queue of its own rather than a call from `delete`: in AWS the purge needs the CloudFront distribution's
/// id, and the distribution depends on the HTTP API, which depends on the delete function, so the delete
/// function cannot be given it; this function can. It also keeps a slow CDN API off the DELETE's answer.
struct CachePurgeFunction: QueueHandler {
    let purge: CachePurge?

    init(environment: FunctionEnvironment) {
        purge = environment.configuration.cachePurge.map { CachePurge(target: $0) }
    }

    func handle(_ message: RabbitMQEvent.Message, context: InvocationContext) async throws {
        guard let job = CachePurgeJob(message) else {
            context.logger.error("cache purge dropped: not a purge message")
            return
        }
        guard let purge else { return }
        try await InvocationRecord.stage("cache.purge") { try await purge.purge(job.image_id) }
    }
}

/// The message of a cache purge: one deleted image.
struct CachePurgeJob: Codable, Sendable {
    var image_id: UUID

    init(image_id: UUID) { self.image_id = image_id }

    init?(_ message: RabbitMQEvent.Message) {
        guard let job = message.decoded(as: Self.self) else { return nil }
        self = job
    }
}

/// Queues purges from the functions that delete images.
struct CachePurgeQueue: Sendable {
    let publisher: JobPublisher
    let queue: String

    /// Publishes one purge. Never throws: the image is deleted either way; a purge that cannot be queued is
    /// logged (`cache_purge_not_queued`), and the image's cached answers end with their signed URLs.
    func queuePurge(of image: UUID, logger: Logger) async {
        do {
            let body = try JSONEncoder().encode(CachePurgeJob(image_id: image))
            try await InvocationRecord.stage("amqp.publish") {
                try await publisher.publish([UInt8](body), to: queue, messageID: "purge-\(image.uuidString.lowercased())")
            }
        } catch {
            logger.error(
                "a deleted image's cache purge could not be queued",
                metadata: ["error.code": "cache_purge_not_queued", "image.id": "\(image.uuidString.lowercased())", "error.detail": "\(error)"]
            )
        }
    }
}
