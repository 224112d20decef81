import Foundation
import Logging
import PostgresNIO
import Storage
import Testing

/// Webhook deliveries on the real PostgreSQL: the `images` trigger records them with the variant's change,
/// one consumer at a time may attempt one, and every attempt moves it on (retry, delivered, dead-lettered).
@Suite struct WebhookRepositoryTests {
    struct Fixture {
        var images: ImageRepository
        var webhooks: WebhookRepository
        var user: UserRecord
        var client: PostgresClient
    }

    func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        try await MigratorTests.withScratchDatabase("webhooks") { client in
            let logger = Logger(label: "t")
            let user = try #require(try await UserRepository(client: client, logger: logger).create(username: "u", passwordHash: "x"))
            try await body(Fixture(images: ImageRepository(client: client, logger: logger), webhooks: WebhookRepository(client: client, logger: logger), user: user, client: client))
        }
    }

    func webhook(_ owner: UUID, events: [String] = ["variant.ready", "variant.failed"]) -> WebhookRecord {
        WebhookRecord(id: UUID(), ownerID: owner, url: "https://hooks.example.com/in", secret: "whsec_x", events: events, description: nil)
    }

    func original(_ owner: UUID) -> ImageRecord {
        ImageRecord(
            id: UUID(), ownerID: owner, filename: "a.jpg", format: "jpeg", contentType: "image/jpeg", width: 10, height: 10,
            sizeBytes: 100, objectKey: "o", contentHash: "h", status: .ready
        )
    }

    func variant(of source: ImageRecord, hash: String) -> ImageRecord {
        ImageRecord(
            id: UUID(), ownerID: source.ownerID, sourceID: source.id, specHash: hash, transformations: #"{"grayscale":true}"#,
            filename: "a.jpg", format: "jpeg", contentType: "image/jpeg", width: nil, height: nil, sizeBytes: nil, objectKey: nil,
            contentHash: nil, status: .queued
        )
    }

    @Test func settledVariantsRecordOneDeliveryPerSubscribedWebhook() async throws {
        try await withFixture { f in
            let all = webhook(f.user.id), readyOnly = webhook(f.user.id, events: ["variant.ready"])
            #expect(try await f.webhooks.create(all, limit: 10))
            #expect(try await f.webhooks.create(readyOnly, limit: 10))
            let source = try await f.images.insert(original(f.user.id))
            let good = try await f.images.insertQueuedVariant(variant(of: source, hash: "a")).variant
            let bad = try await f.images.insertQueuedVariant(variant(of: source, hash: "b")).variant
            _ = try await f.images.markReady(good.id, width: 5, height: 5, sizeBytes: 50, objectKey: "v", contentHash: "vh")
            _ = try await f.images.markFailed(bad.id, code: "corrupt_image", message: "the image could not be decoded")

            // Ready: both webhooks; failed: only the one that asked for failures. Each once.
            #expect(Set(try await f.webhooks.queueRecorded(image: good.id)).count == 2)
            #expect(try await f.webhooks.queueRecorded(image: good.id).isEmpty)
            let failedIDs = try await f.webhooks.queueRecorded(image: bad.id)
            #expect(failedIDs.count == 1)
            let (deliveries, total) = try await f.webhooks.deliveries(of: all.id, limit: 10, offset: 0)
            #expect(total == 2 && Set(deliveries.map(\.eventType)) == ["variant.ready", "variant.failed"])
            #expect(try await f.webhooks.deliveries(of: readyOnly.id, limit: 10, offset: 0).total == 1)

            // The snapshot is the row as it was marked.
            let failed = try #require(deliveries.first { $0.eventType == "variant.failed" })
            let snapshot = try #require(ImageRecord(snapshot: failed.snapshot))
            #expect(snapshot.id == bad.id && snapshot.status == .failed && snapshot.errorCode == "corrupt_image")
            #expect(snapshot.transformations == #"{"grayscale": true}"# && snapshot.sourceID == source.id)
            let ready = try #require(deliveries.first { $0.eventType == "variant.ready" })
            #expect(ImageRecord(snapshot: ready.snapshot)?.width == 5)

            // Originals and unchanged statuses record nothing; another user's webhooks see nothing.
            let other = try #require(try await UserRepository(client: f.client, logger: Logger(label: "t")).create(username: "v", passwordHash: "x"))
            #expect(try await f.webhooks.create(webhook(other.id), limit: 10))
            _ = try await f.images.markReady(good.id, width: 5, height: 5, sizeBytes: 50, objectKey: "v", contentHash: "vh")
            #expect(try await f.webhooks.deliveries(of: all.id, limit: 10, offset: 0).total == 2)
            #expect(try await f.webhooks.list(owner: other.id).count == 1)
            #expect(try await f.webhooks.find(all.id, owner: other.id) == nil)
        }
    }

    @Test func oneAttemptAtATimeAndEveryOutcomeRecorded() async throws {
        try await withFixture { f in
            let hook = webhook(f.user.id)
            #expect(try await f.webhooks.create(hook, limit: 10))
            let source = try await f.images.insert(original(f.user.id))
            let made = try await f.images.insertQueuedVariant(variant(of: source, hash: "a")).variant
            _ = try await f.images.markReady(made.id, width: 5, height: 5, sizeBytes: 50, objectKey: "v", contentHash: "vh")
            let id = try #require(try await f.webhooks.queueRecorded(image: made.id).first)

            let claimed = try #require(try await f.webhooks.claimAttempt(id, staleAfter: 30))
            #expect(claimed.url == hook.url && claimed.secret == hook.secret && claimed.delivery.attempts.isEmpty)
            // A duplicate message while the attempt runs does nothing.
            #expect(try await f.webhooks.claimAttempt(id, staleAfter: 30) == nil)
            let failure = WebhookDelivery.Attempt(at: "2026-12-02T00:00:00Z", duration_ms: 12, status_code: 500, error: "the receiver answered 500")
            try await f.webhooks.record(failure, of: id, outcome: .retry(afterSeconds: 60))
            // Not due for a minute: a message now does nothing, nor does the sweeper take it.
            #expect(try await f.webhooks.claimAttempt(id, staleAfter: 30) == nil)
            #expect(try await f.webhooks.claimOverdue(grace: 0, limit: 10).isEmpty)
            try await f.client.query("UPDATE webhook_deliveries SET next_attempt_at = now() - interval '1 second', queued_at = now() - interval '1 hour'")
            #expect(try await f.webhooks.claimOverdue(grace: 0, limit: 10) == [id])
            #expect(try await f.webhooks.claimOverdue(grace: 0.5, limit: 10).isEmpty)  // just queued again

            let second = try #require(try await f.webhooks.claimAttempt(id, staleAfter: 30))
            #expect(second.delivery.attempts == [failure])
            let success = WebhookDelivery.Attempt(at: "2026-12-02T00:01:00Z", duration_ms: 8, status_code: 204, error: nil)
            try await f.webhooks.record(success, of: id, outcome: .delivered)
            let delivered = try #require(try await f.webhooks.deliveries(of: hook.id, limit: 10, offset: 0).deliveries.first)
            #expect(delivered.state == .delivered && delivered.attempts == [failure, success] && delivered.nextAttemptAt == nil && delivered.finishedAt != nil)
            #expect(try await f.webhooks.claimAttempt(id, staleAfter: 30) == nil)
        }
    }

    @Test func aStaleAttemptMayBeTakenOverAndTheLastFailureDeadLetters() async throws {
        try await withFixture { f in
            let hook = webhook(f.user.id)
            #expect(try await f.webhooks.create(hook, limit: 10))
            let source = try await f.images.insert(original(f.user.id))
            let made = try await f.images.insertQueuedVariant(variant(of: source, hash: "a")).variant
            _ = try await f.images.markFailed(made.id, code: "corrupt_image", message: "m")
            let id = try #require(try await f.webhooks.queueRecorded(image: made.id).first)
            #expect(try await f.webhooks.claimAttempt(id, staleAfter: 30) != nil)
            // The consumer died mid-attempt: after staleAfter another may take it.
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await f.webhooks.claimAttempt(id, staleAfter: 1) != nil)
            let timeout = WebhookDelivery.Attempt(at: "2026-12-02T00:00:00Z", duration_ms: 10_000, status_code: nil, error: "no answer within 10 s")
            try await f.webhooks.record(timeout, of: id, outcome: .failed)
            let dead = try #require(try await f.webhooks.deliveries(of: hook.id, limit: 10, offset: 0).deliveries.first)
            #expect(dead.state == .failed && dead.attempts == [timeout])
            #expect(try await f.webhooks.claimOverdue(grace: 0, limit: 10).isEmpty)
            #expect(try await f.webhooks.claimAttempt(id, staleAfter: 0) == nil)

            // Deleting the webhook deletes its deliveries; the limit counts the owner's webhooks.
            #expect(try await f.webhooks.delete(hook.id, owner: f.user.id))
            #expect(try await f.webhooks.delete(hook.id, owner: f.user.id) == false)
            #expect(try await f.webhooks.deliveries(of: hook.id, limit: 10, offset: 0).total == 0)
            #expect(try await f.webhooks.create(webhook(f.user.id), limit: 1))
            #expect(try await f.webhooks.create(webhook(f.user.id), limit: 1) == false)
        }
    }
}
