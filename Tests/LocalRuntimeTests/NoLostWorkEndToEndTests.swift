import Foundation
import NIOHTTP1
import PostgresNIO
import Storage
import Testing
@testable import TestSupport

/// What the sweeper and the dead-letter function guarantee, staged for real: the leftovers of a crash between
/// commit and publish, an object whose row was never written, and a job no worker can finish. Each test has a
/// bucket of its own: the orphan sweep deletes whatever its database does not reference, and other tests'
/// databases reference the objects of the shared bucket.
@Suite struct NoLostWorkEndToEndTests {
    typealias I = ImagesEndToEndTests
    typealias T = TestImages

    struct Service {
        let h: RuntimeHarness
        let databaseURL: String
        let store: S3Client
    }

    func withService(schedules: Duration? = nil, _ body: @Sendable @escaping (Service) async throws -> Void) async throws {
        try await RuntimeHarness.withBucket("sweep") { store in
            try await withService(schedules: schedules, s3: ["S3_BUCKET": store.settings.bucket], store: store, body)
        }
    }

    /// With an S3 server of the test's own (`own` started), which the test may stop to make the store fail the
    /// way a real outage does.
    func withService(
        own: OwnServices, environment: [String: String] = [:], _ body: @Sendable @escaping (Service) async throws -> Void
    ) async throws {
        try await own.with {
            try await own.run("services", "up", "s3")
            let s3 = try own.settings().filter { $0.key.hasPrefix("S3_") }
            let store = try RuntimeHarness.objectStore(environment: s3)
            try await withService(schedules: nil, s3: s3.merging(environment) { $1 }, store: store, body)
        }
    }

    func withService(
        schedules: Duration?, s3: [String: String], store: S3Client, _ body: @Sendable @escaping (Service) async throws -> Void
    ) async throws {
        try await ScratchDatabase.with { url in
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: [
                    "DATABASE_URL": url, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error",
                    "SWEEP_OUTBOX_AFTER_SECONDS": "1", "SWEEP_ORPHANS_AFTER_SECONDS": "0",
                ].merging(s3) { $1 },
                consumeQueues: true, schedules: schedules
            ) { h in try await body(Service(h: h, databaseURL: url, store: store)) }
        }
    }

    func sweep(_ h: RuntimeHarness) async throws -> [String: Any] {
        let output = try await h.runtime.invoke("sweeper")
        return try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
    }

    @Test func aJobRecordedButNeverPublishedIsPublishedByTheSweeper() async throws {
        try await withService { service in
            let h = service.h
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            // What a crash right after the commit leaves: a queued variant with its outbox row, and no job.
            let variant = UUID(), source = try #require(UUID(uuidString: id)), owner = try #require(UUID(uuidString: alice.userID))
            try await ScratchDatabase.execute(service.databaseURL, [
                """
                INSERT INTO images (id, owner_id, source_id, spec_hash, transformations, filename, format, content_type, status)
                VALUES (\(variant), \(owner), \(source), 'staged-spec-hash', '{"flip":true}'::jsonb, 'Dune.jpg', 'jpeg', 'image/jpeg', 'queued')
                """,
                "INSERT INTO transform_outbox (variant_id, owner_id, created_at) VALUES (\(variant), \(owner), now() - interval '1 minute')",
            ])
            let report = try await sweep(h)
            #expect(report["republished"] as? Int == 1)
            let path = "/images/\(variant.uuidString.lowercased())/metadata"
            #expect(await h.eventually(timeout: .seconds(20)) {
                (try? await h.request(.GET, path, headers: alice.auth).json()["status"] as? String) == "ready"
            })
            // Confirmed jobs leave the outbox: the next sweep has nothing to do.
            #expect(try await sweep(h)["republished"] as? Int == 0)
            // A normal transform leaves no outbox row behind either.
            #expect(try await TransformEndToEndTests().transform(alice, id, #"{"mirror":true}"#, wait: 20).status == 201)
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await sweep(h)["republished"] as? Int == 0)
        }
    }

    @Test func aJobNoWorkerCanFinishIsDeadLetteredAndItsVariantFails() async throws {
        let own = OwnServices(pgPort: 26533, amqpPort: 26774, epmdPort: 24375, s3Port: 29440)
        // No retries within a delivery, so that the outage outlasts the job's deliveries in seconds.
        try await withService(own: own, environment: ["TRANSFORM_RETRY_SECONDS": "0"]) { service in
            let h = service.h
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            // The store goes down: every attempt fails with a storage error (which is retried, not a permanent
            // failure) until the delivery limit sends the job to the dead-letter queue.
            try await own.run("services", "stop", "s3")
            let queued = try await TransformEndToEndTests().transform(alice, id, #"{"flip":true}"#)
            #expect(queued.status == 202)
            let variantID = try #require(try queued.json()["id"] as? String)
            var final: [String: Any] = [:]
            #expect(await h.eventually(timeout: .seconds(30)) {
                final = (try? await h.request(.GET, "/images/\(variantID)/metadata", headers: alice.auth).json()) ?? [:]
                return final["status"] as? String == "failed"
            })
            let error = try #require(final["error"] as? [String: Any])
            #expect(error["code"] as? String == "transformation_abandoned")
            try await own.run("services", "up", "s3")
            let bytes = try await h.request(.GET, "/images/\(variantID)", headers: alice.auth)
            #expect(bytes.status == 422)
            let metrics = try await h.request(.GET, "/metrics").text
            #expect(metrics.contains("queue_redeliveries_total"))
        }
    }

    @Test func orphanedObjectsAreSweptOnTheScheduleAndReferencedOnesKept() async throws {
        try await withService(schedules: .seconds(1)) { service in
            let h = service.h
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            // An upload that died between its object and its row.
            let store = service.store
            let orphan = "originals/\(alice.userID)/\(UUID().uuidString.lowercased())"
            try await store.putObject(key: orphan, body: try I.photo("Dune.jpg"), contentType: "image/jpeg")
            // The schedule (every second here) removes it without anyone invoking the sweeper.
            #expect(await h.eventually(timeout: .seconds(20)) {
                let keys = (try? await store.listObjects(prefix: "originals/\(alice.userID)/").objects.map(\.key)) ?? [orphan]
                return !keys.contains(orphan)
            })
            #expect(try await h.request(.GET, "/images/\(id)", headers: alice.auth).status == 200)
            let metrics = try await h.request(.GET, "/metrics").text
            #expect(metrics.contains(#"scheduled_invocations_total{function="sweeper",outcome="success"}"#))
        }
    }

    /// A URL transformation made within its request records the variant with an outbox row, as a queued one
    /// does: when the request cannot finish it (here the store is down), the sweeper hands it to the worker,
    /// and once the store is back the same URL serves the result. One that finishes in its request leaves no
    /// outbox row behind.
    @Test func aURLTransformationItsRequestCouldNotFinishIsFinishedByTheWorker() async throws {
        let own = OwnServices(pgPort: 26534, amqpPort: 26776, epmdPort: 24376, s3Port: 29460)
        try await withService(own: own) { service in
            let h = service.h
            let alice = try await I.signUp(h, "alice")
            let dune = try I.photo("Dune.jpg")
            let id = try #require(try await alice.upload(dune).json()["id"] as? String)
            try await own.run("services", "stop", "s3")
            let failed = try await h.request(.GET, "/images/\(id)/t/w_200,gray", headers: alice.auth)
            #expect(failed.status == 503)
            #expect(failed.header("retry-after") != nil)

            try await own.run("services", "up", "s3")
            try await Task.sleep(for: .milliseconds(1100))  // past SWEEP_OUTBOX_AFTER_SECONDS
            #expect(try await sweep(h)["republished"] as? Int == 1)
            var served: RuntimeHarness.Reply?
            #expect(await h.eventually(timeout: .seconds(20)) {
                served = try? await h.request(.GET, "/images/\(id)/t/w_200,gray", headers: alice.auth)
                return served?.status == 200
            })
            #expect(try T.decode([UInt8](try #require(served).body)).width == 200)
            #expect(try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()["total"] as? Int == 1)

            #expect(try await h.request(.GET, "/images/\(id)/t/w_100", headers: alice.auth).status == 200)
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await sweep(h)["republished"] as? Int == 0)
        }
    }

    /// A job accepted while the store is down is made once it is back, not abandoned: the worker tries again
    /// within its invocation. (Each delivery used to fail at once, and the job's deliveries were used up, and
    /// the variant failed as `transformation_abandoned`, within a second of a 45 s outage.)
    @Test func aJobQueuedWhileTheStoreIsDownIsMadeOnceItIsBack() async throws {
        let own = OwnServices(pgPort: 26537, amqpPort: 26782, epmdPort: 24379, s3Port: 29720)
        try await withService(own: own) { service in
            let h = service.h
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            try await own.run("services", "stop", "s3")
            let queued = try await h.request(
                .POST, "/images/\(id)/transform", body: Data(#"{"transformations":{"resize":{"width":240}}}"#.utf8),
                headers: alice.auth + [("Content-Type", "application/json")]
            )
            #expect(queued.status == 202, "\(queued.status) \(queued.text.prefix(200))")
            let variant = try #require(try queued.json()["id"] as? String)
            try await Task.sleep(for: .seconds(6))
            #expect(try await h.request(.GET, "/images/\(variant)/metadata", headers: alice.auth).json()["status"] as? String != "failed")
            try await own.run("services", "up", "s3")
            var status: String?
            #expect(await h.eventually(timeout: .seconds(40)) {
                status = try? await h.request(.GET, "/images/\(variant)/metadata", headers: alice.auth).json()["status"] as? String
                return status == "ready"
            }, "the variant is \(status ?? "unknown")")
        }
    }
}
