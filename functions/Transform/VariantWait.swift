import Foundation
import Storage

/// Waiting for a variant another request or the queue worker is making: until it is ready or failed, or the
/// time is up (nil then).
enum VariantWait {
    /// Checks the variant with growing pauses (50 ms doubling to 1 s), not in a tight loop.
    static func result(_ id: UUID, owner: UUID, images: ImageRepository, upTo limit: Duration) async throws -> ImageRecord? {
        let deadline = ContinuousClock.now + limit
        var pause = Duration.milliseconds(50)
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: min(pause, deadline - ContinuousClock.now))
            if let image = try await storage({ try await images.find(id, owner: owner) }),
                image.status == .ready || image.status == .failed
            {
                return image
            }
            pause = min(pause * 2, .seconds(1))
        }
        return nil
    }
}
