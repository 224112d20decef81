import Foundation
import Storage

/// Waiting for a variant another request or the queue worker is making: until it is ready or failed, or the
/// time is up (nil then, and nil when it is gone). The database announces the change (LISTEN/NOTIFY,
/// `ImageRepository.settled`), so the answer leaves as soon as the variant is done, not at the next poll.
enum VariantWait {
    static func result(_ id: UUID, owner: UUID, images: ImageRepository, upTo limit: Duration) async throws -> ImageRecord? {
        guard let image = try await images.settled(id, owner: owner, within: limit),
            image.status == .ready || image.status == .failed
        else { return nil }
        return image
    }
}
