import Foundation
import FunctionRuntime
import Messaging

/// The message of a transform job: which variant to make, for whom. Everything else (source, spec) is read
/// from the variant's row, so a redelivered or late job always works from the current state. Package-visible
/// for the fuzz targets (Tests/Fuzz), which decode queue events as the worker does.
package struct TransformJob: Codable, Sendable {
    package var variant_id: UUID
    package var owner_id: UUID

    /// The job a queue delivery carries; nil for anything else (which can never succeed).
    package init?(_ message: RabbitMQEvent.Message) {
        guard let job = message.decoded(as: Self.self) else { return nil }
        self = job
    }

    init(variant_id: UUID, owner_id: UUID) {
        self.variant_id = variant_id
        self.owner_id = owner_id
    }

    /// Publishes the job, persistent, and returns once the broker confirmed it. The variant id is the message
    /// id, so a job published again (by the sweeper) is recognisably the same job.
    func publish(with publisher: JobPublisher, to queue: String) async throws {
        try await publisher.publish([UInt8](JSONEncoder().encode(self)), to: queue, messageID: variant_id.uuidString.lowercased())
    }
}
