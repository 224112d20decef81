import Foundation
import Messaging
import Testing

/// In AWS nothing like local-runtime declares the queues: `migrate` and the publishing functions do. Here
/// local-runtime has no broker of its own (no consumers, so it declares nothing), and the functions alone
/// make a fresh queue usable.
@Suite struct BrokerTopologyEndToEndTests {
    typealias I = ImagesEndToEndTests

    @Test func migrateAndTheFirstPublishDeclareTheQueues() async throws {
        let queue = "undeclared-\(UUID().uuidString.prefix(8).lowercased())"
        let settings = try RuntimeHarness.amqpSettings()
        #expect(throws: MessagingError.self) { try AMQPConnection(settings: settings).messageCount(queue: queue) }
        try await ScratchDatabase.with { url in
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: ["DATABASE_URL": url, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error", "TRANSFORM_QUEUE": queue]
            ) { h in
                // migrate declared it (and the webhook queue, with its delay queues, and the cache purge queue) at
                // start, and says so when run again (idempotently).
                let output = try JSONSerialization.jsonObject(with: try await h.runtime.invoke("migrate")) as? [String: Any]
                let queues = try #require(output?["queues"] as? [String])
                #expect(queues.count == 3 && queues.first == queue, "\(queues)")
                #expect(queues.count == 3 && queues[1].hasPrefix("webhook-deliveries-") && queues[2].hasPrefix("cache-purges-"))
                let probe = try AMQPConnection(settings: settings)
                #expect(try probe.messageCount(queue: queue) == 0)
                #expect(try probe.messageCount(queue: QueueTopology(queue: queue).deadLetterQueue) == 0)

                // A job published to it is kept there (nobody consumes in this run).
                let alice = try await I.signUp(h, "alice")
                let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
                let queued = try await h.request(
                    .POST, "/images/\(id)/transform", body: Data(#"{"transformations":{"flip":true}}"#.utf8),
                    headers: alice.auth + [("Content-Type", "application/json")]
                )
                #expect(queued.status == 202)
                #expect(await h.eventually(timeout: .seconds(5)) { (try? probe.messageCount(queue: queue)) == 1 })
                try probe.purge(queue: queue)
            }
        }
    }
}
