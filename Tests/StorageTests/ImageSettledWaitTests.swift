import Foundation
import Logging
import PostgresNIO
import Storage
import Testing

/// Waiting for a variant by LISTEN/NOTIFY on the real PostgreSQL: the trigger announces ready, failed and
/// deleted images, and a waiter returns on the announcement rather than at its deadline.
@Suite struct ImageSettledWaitTests {
    func withRepository(_ body: (ImageRepository, UserRecord) async throws -> Void) async throws {
        try await MigratorTests.withScratchDatabase("settled") { client in
            let user = try #require(try await UserRepository(client: client, logger: Logger(label: "t")).create(username: "u", passwordHash: "x"))
            try await body(ImageRepository(client: client, logger: Logger(label: "t")), user)
        }
    }

    func queued(_ owner: UUID) -> ImageRecord {
        ImageRecord(
            id: UUID(), ownerID: owner, filename: "a.jpg", format: "jpeg", contentType: "image/jpeg", width: nil, height: nil,
            sizeBytes: nil, objectKey: nil, contentHash: nil, status: .queued
        )
    }

    @Test func aWaiterReturnsWhenTheImageSettlesNotAtItsDeadline() async throws {
        try await withRepository { images, user in
            let image = try await images.insert(queued(user.id))
            let start = ContinuousClock.now
            async let waited = images.settled(image.id, owner: user.id, within: .seconds(20))
            try await Task.sleep(for: .milliseconds(300))
            _ = try await images.markReady(image.id, width: 1, height: 1, sizeBytes: 1, objectKey: "k", contentHash: "h")
            let result = try await waited
            #expect(result?.status == .ready)
            // Well before the deadline: the notification, not the timeout, ended the wait.
            #expect(ContinuousClock.now - start < .seconds(10))

            // Already settled: at once. Gone, or another owner's: nil. Unsettled at the deadline: as it is.
            #expect(try await images.settled(image.id, owner: user.id, within: .seconds(20))?.status == .ready)
            #expect(try await images.settled(image.id, owner: UUID(), within: .seconds(1)) == nil)
            let pending = try await images.insert(queued(user.id))
            #expect(try await images.settled(pending.id, owner: user.id, within: .milliseconds(300))?.status == .queued)
        }
    }

    @Test func failedAndDeletedImagesEndTheWaitToo() async throws {
        try await withRepository { images, user in
            let failing = try await images.insert(queued(user.id))
            async let failed = images.settled(failing.id, owner: user.id, within: .seconds(20))
            try await Task.sleep(for: .milliseconds(200))
            _ = try await images.markFailed(failing.id, code: "corrupt_image", message: "m")
            #expect(try await failed?.status == .failed)

            let doomed = try await images.insert(queued(user.id))
            let start = ContinuousClock.now
            async let gone = images.settled(doomed.id, owner: user.id, within: .seconds(20))
            try await Task.sleep(for: .milliseconds(200))
            _ = try await images.delete(doomed.id, owner: user.id)
            #expect(try await gone == nil)
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }
}
