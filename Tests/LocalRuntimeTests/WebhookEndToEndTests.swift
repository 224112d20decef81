import ChildProcess
import Foundation
import Storage
import Testing

/// Webhooks through local-runtime: a user registers receivers, a variant settles, the queue-triggered worker
/// POSTs the signed event to a real HTTP server on 127.0.0.1 (development allows loopback), retries through
/// the broker's delay queues, and records every attempt. Signatures are checked with the Standard Webhooks
/// reference library, not with this service's own code.
@Suite struct WebhookEndToEndTests {
    typealias I = ImagesEndToEndTests

    /// A receiver process (`webhook_receiver.py serve`) and the requests it logged.
    struct Receiver {
        let process: ChildProcess.Running
        let port: Int
        let log: URL

        static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("webhook_receiver.py")

        static func start(in dir: URL) async throws -> Receiver {
            let portFile = dir.appendingPathComponent("port"), log = dir.appendingPathComponent("requests.jsonl")
            let process = try ChildProcess.start("/usr/bin/env", ["python3", script.path, "serve", portFile.path, log.path])
            for _ in 0..<100 {
                if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) {
                    return Receiver(process: process, port: port, log: log)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            await process.stop()
            throw ReceiverError(description: "the webhook receiver did not start")
        }

        func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

        /// Every request logged so far, for `path` or all.
        func requests(_ path: String? = nil) -> [[String: Any]] {
            guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").compactMap { line in
                try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            }.filter { path == nil || $0["path"] as? String == path }
        }
    }

    struct ReceiverError: Error, CustomStringConvertible { var description: String }

    /// A service whose deliveries are retried after 1 s and 1 s again (three attempts), with a receiver.
    func withService(_ body: @Sendable @escaping (RuntimeHarness, Receiver) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("webhooks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let receiver = try await Receiver.start(in: dir)
        do {
            try await ScratchDatabase.with { url in
                try await RuntimeHarness.with(
                    binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                    environment: [
                        "DATABASE_URL": url, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error",
                        "WEBHOOK_RETRY_SECONDS": "1,1", "WEBHOOK_TIMEOUT_SECONDS": "5",
                    ],
                    consumeQueues: true
                ) { h in try await body(h, receiver) }
            }
        } catch {
            await receiver.process.stop()
            throw error
        }
        await receiver.process.stop()
    }

    func json(_ object: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: object) }

    func register(_ s: I.Session, _ body: [String: Any]) async throws -> RuntimeHarness.Reply {
        try await s.h.request(.POST, "/webhooks", body: try json(body), headers: s.auth + [("Content-Type", "application/json")])
    }

    func deliveries(_ s: I.Session, _ webhookID: String) async throws -> [[String: Any]] {
        try await s.h.request(.GET, "/webhooks/\(webhookID)/deliveries", headers: s.auth).json()["items"] as? [[String: Any]] ?? []
    }

    /// What `standardwebhooks` says of `requests` signed with `secret`.
    func verify(_ requests: [[String: Any]], secret: String) async throws -> ChildProcess.Outcome {
        let input = try json(["secret": secret, "requests": requests.map { ["headers": $0["headers"] ?? [:], "body": $0["body"] ?? ""] }])
        return try await ChildProcess.run("/usr/bin/env", ["python3", Receiver.script.path, "verify"], input: input, output: .captureMerged)
    }

    func body(of request: [String: Any]) throws -> [String: Any] {
        let data = try #require(Data(base64Encoded: request["body"] as? String ?? ""))
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func eventsAreSignedRetriedAndRecorded() async throws {
        try await withService { h, receiver in
            let alice = try await I.signUp(h, "alice"), bob = try await I.signUp(h, "bob")
            let flaky = try await register(alice, ["url": receiver.url("/flaky"), "events": ["variant.ready"], "description": "retries once"])
            #expect(flaky.status == 201)
            let flakyHook = try flaky.json()
            let flakyID = try #require(flakyHook["id"] as? String)
            let secret = try #require(flakyHook["secret"] as? String)
            #expect(secret.hasPrefix("whsec_"))
            #expect(flaky.header("location") == "/webhooks/\(flakyID)")
            let down = try await register(alice, ["url": receiver.url("/down")])
            let downID = try #require(try down.json()["id"] as? String)
            let downSecret = try #require(try down.json()["secret"] as? String)
            #expect(try down.json()["events"] as? [String] == ["variant.ready", "variant.failed"])
            let bobs = try await register(bob, ["url": receiver.url("/ok")])
            #expect(bobs.status == 201)

            // A ready variant: /flaky answers 500, then 200 to the retry a second later.
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            let made = try await TransformEndToEndTests().transform(alice, id, #"{"resize":{"width":300}}"#, wait: 20)
            #expect(made.status == 201)
            let variantID = try #require(try made.json()["id"] as? String)
            var flakyDeliveries: [[String: Any]] = []
            #expect(await h.eventually(timeout: .seconds(30)) {
                flakyDeliveries = (try? await deliveries(alice, flakyID)) ?? []
                return flakyDeliveries.first?["state"] as? String == "delivered"
            })
            let delivered = try #require(flakyDeliveries.first)
            #expect(flakyDeliveries.count == 1)
            #expect(delivered["event_type"] as? String == "variant.ready")
            #expect(delivered["image_id"] as? String == variantID)
            let attempts = try #require(delivered["attempts"] as? [[String: Any]])
            #expect(attempts.map { $0["status_code"] as? Int } == [500, 200])
            #expect(delivered["finished_at"] is String)

            let sent = receiver.requests("/flaky")
            #expect(sent.count == 2)
            // Both attempts carry the same id (receivers drop repeats by it) and a valid signature.
            let ids = Set(sent.compactMap { ($0["headers"] as? [String: String])?["webhook-id"] })
            #expect(ids.count == 1)
            #expect(ids.first == delivered["id"] as? String)
            let verified = try await verify(sent, secret: secret)
            #expect(verified.status == 0 && verified.text.contains("2 verified"), "\(verified.text)")
            let forged = try await verify(sent, secret: downSecret)
            #expect(forged.status == 1, "a signature made with another webhook's secret must not verify: \(forged.text)")
            let event = try body(of: sent[1])
            #expect(event["type"] as? String == "variant.ready")
            let data = try #require(event["data"] as? [String: Any])
            #expect(data["id"] as? String == variantID)
            #expect(data["status"] as? String == "ready")
            #expect(data["source_id"] as? String == id)
            #expect(try #require(delivered["payload"] as? [String: Any])["id"] as? String == event["id"] as? String)

            // A failed variant (its original damaged behind the service's back, before any worker read it): /down
            // refuses all three attempts and the delivery is dead-lettered as failed.
            let damagedID = try #require(try await alice.upload(try I.photo("Dragonfly_by_Bolly.jpg"), filename: "dragonfly.jpg").json()["id"] as? String)
            try await RuntimeHarness.objectStore().putObject(key: "originals/\(alice.userID)/\(damagedID)", body: try I.photo("Dragonfly_by_Bolly.jpg").prefix(50_000), contentType: "image/jpeg")
            let broken = try await TransformEndToEndTests().transform(alice, damagedID, #"{"resize":{"width":200}}"#, wait: 20)
            #expect(try broken.json()["status"] as? String == "failed")
            let brokenID = try #require(try broken.json()["id"] as? String)
            var downDeliveries: [[String: Any]] = []
            #expect(await h.eventually(timeout: .seconds(30)) {
                downDeliveries = (try? await deliveries(alice, downID)) ?? []
                return downDeliveries.contains { $0["image_id"] as? String == brokenID && $0["state"] as? String == "failed" }
            })
            let failed = try #require(downDeliveries.first { $0["image_id"] as? String == brokenID })
            #expect(failed["event_type"] as? String == "variant.failed")
            #expect((failed["attempts"] as? [[String: Any]])?.map { $0["status_code"] as? Int } == [500, 500, 500])
            #expect(failed["next_attempt_at"] is NSNull)
            let failedEvent = try #require(failed["payload"] as? [String: Any])
            #expect((failedEvent["data"] as? [String: Any])?["status"] as? String == "failed")
            // /down also had the ready event; /flaky subscribed to ready only, so it got nothing more.
            #expect(downDeliveries.count == 2)
            #expect(receiver.requests("/flaky").count == 2)
            #expect(try await verify(receiver.requests("/down"), secret: downSecret).status == 0)

            // Bob's webhook heard nothing of Alice's images, and Alice's webhooks are not Bob's to read or delete.
            #expect(receiver.requests("/ok").isEmpty)
            #expect(try await h.request(.GET, "/webhooks/\(flakyID)/deliveries", headers: bob.auth).status == 404)
            #expect(try await h.request(.DELETE, "/webhooks/\(flakyID)", headers: bob.auth).status == 404)
        }
    }

    @Test func registrationIsValidatedListedAndDeleted() async throws {
        try await withService { h, receiver in
            let alice = try await I.signUp(h, "alice")
            let refused = try await register(alice, [
                "url": "ftp://example.com/hook", "events": ["variant.ready", "image.uploaded"], "description": String(repeating: "x", count: 201),
                "secret": "mine",
            ])
            #expect(refused.status == 422)
            let fields = Set((try refused.json()["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["url", "events[1]", "description", "secret"])
            #expect(try await register(alice, [:]).status == 422)
            #expect(try await register(alice, ["url": receiver.url("/ok"), "events": []]).status == 422)
            // Private ranges stay refused in development; loopback is what development adds.
            let privateTarget = try await register(alice, ["url": "http://10.0.0.5/hook"])
            #expect(privateTarget.status == 422)
            #expect(try await h.request(.POST, "/webhooks", body: try json(["url": receiver.url("/ok")])).status == 401)

            var ids: [String] = []
            for n in 0..<10 {
                let made = try await register(alice, ["url": receiver.url("/ok?n=\(n)")])
                #expect(made.status == 201)
                ids.append(try #require(try made.json()["id"] as? String))
            }
            let over = try await register(alice, ["url": receiver.url("/ok")])
            #expect(over.status == 409)
            #expect(try over.json()["code"] as? String == "webhook_limit_reached")

            let list = try await h.request(.GET, "/webhooks", headers: alice.auth).json()
            #expect(list["total"] as? Int == 10)
            let items = try #require(list["items"] as? [[String: Any]])
            #expect(Set(items.compactMap { $0["id"] as? String }) == Set(ids))
            #expect(items.allSatisfy { $0["secret"] == nil }, "a secret is shown only when the webhook is made")

            #expect(try await h.request(.DELETE, "/webhooks/\(ids[0])", headers: alice.auth).status == 204)
            #expect(try await h.request(.DELETE, "/webhooks/\(ids[0])", headers: alice.auth).status == 404)
            #expect(try await h.request(.GET, "/webhooks/\(ids[0])/deliveries", headers: alice.auth).status == 404)
            #expect(try await h.request(.GET, "/webhooks/not-a-uuid/deliveries", headers: alice.auth).status == 404)
            #expect(try await h.request(.GET, "/webhooks", headers: alice.auth).json()["total"] as? Int == 9)
            // With one deleted there is room for one more.
            #expect(try await register(alice, ["url": receiver.url("/ok")]).status == 201)
        }
    }
}
