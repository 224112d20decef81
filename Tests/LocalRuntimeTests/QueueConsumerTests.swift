import Foundation
import LocalRuntime
import Messaging
import Testing

/// RabbitMQ deliveries to the fixture's queue function, through local-runtime and real workers.
@Suite(.serialized) struct QueueConsumerTests {
    let queue = "fixture-jobs"

    func publish(_ body: String) throws {
        let connection = try AMQPConnection(settings: try RuntimeHarness.amqpSettings())
        try connection.declare(QueueTopology(queue: queue, deliveryLimit: RuntimeHarness.deliveryLimit))
        try connection.publish(AMQPMessage(body: Array(body.utf8), contentType: "text/plain"), to: queue)
    }

    @Test func aPublishedMessageReachesTheFunctionAndIsAcknowledged() async throws {
        let body = "ok-\(UUID().uuidString)"
        try await RuntimeHarness.with(consumeQueues: true) { h in
            try publish(body)
            #expect(await h.eventually { h.recorded(body).count == 1 })
            #expect(h.recorded(body) == ["redelivered=false"])
            // Acknowledged: nothing ready, and nothing comes back.
            let probe = try AMQPConnection(settings: try RuntimeHarness.amqpSettings())
            #expect(await h.eventually { (try? probe.messageCount(queue: queue)) == 0 })
            try await Task.sleep(for: .milliseconds(500))
            #expect(h.recorded(body).count == 1)
        }
    }

    @Test func aFailingMessageIsRedeliveredThenDeadLettered() async throws {
        let body = "fail-\(UUID().uuidString)"
        try await RuntimeHarness.with(consumeQueues: true) { h in
            try publish(body)
            // The first delivery and `deliveryLimit` redeliveries, then the dead-letter queue.
            #expect(await h.eventually { h.recorded(body).count == RuntimeHarness.deliveryLimit + 1 })
            #expect(h.recorded(body).first == "redelivered=false")
            #expect(h.recorded(body).dropFirst().allSatisfy { $0 == "redelivered=true" })

            let dlq = try AMQPConnection(settings: try RuntimeHarness.amqpSettings())
            try dlq.consume(queue: QueueTopology(queue: queue).deadLetterQueue, prefetch: 10)
            // The last rejection is settled and dead-lettered a moment after the last delivery was recorded: on a
            // busy machine that moment can be seconds.
            var found = false
            let deadline = ContinuousClock.now + .seconds(30)
            while !found, ContinuousClock.now < deadline {
                guard let delivery = try dlq.nextDelivery(timeout: .seconds(1)) else { continue }
                try dlq.ack(delivery.deliveryTag)
                found = delivery.message.body == Array(body.utf8)
            }
            #expect(found)
            try await Task.sleep(for: .milliseconds(300))
            #expect(h.recorded(body).count == RuntimeHarness.deliveryLimit + 1)
        }
    }

    /// `--queue-concurrency 1` is Lambda's one invocation at a time per Amazon MQ event source: with two
    /// workers allowed per function, four slow messages still run one after another.
    @Test func queueConcurrencyOneRunsMessagesOneAtATime() async throws {
        let run = UUID().uuidString.prefix(8).lowercased()
        try await RuntimeHarness.with(workers: 2, consumeQueues: true, queueConcurrency: 1) { h in
            for n in 1...4 { try publish("slow-\(run)-\(n)") }
            #expect(await h.eventually(timeout: .seconds(30)) { h.recorded("slow-\(run)").count == 8 })
            #expect(await h.runtime.workerProcessIDs("recorder").count == 1)
            let lines = h.recorded("slow-\(run)")
            // Alternating start and end lines: no second message started before the first one ended.
            #expect(lines.enumerated().allSatisfy { $0.element.hasPrefix($0.offset % 2 == 0 ? "start " : "end ") }, "\(lines)")
        }
    }
}
