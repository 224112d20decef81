import Foundation
import Messaging
import Testing

/// Against the real RabbitMQ that infra/dev/services starts; infra/dev/test sets AMQP_URL.
@Suite struct AMQPConnectionTests {
    let settings: AMQPSettings

    init() throws {
        let url = try #require(ProcessInfo.processInfo.environment["AMQP_URL"], "AMQP_URL is not set: run the tests with infra/dev/test")
        settings = try AMQPSettings(url: url)
    }

    @Test func connectsAndCloses() throws {
        let connection = try AMQPConnection(settings: settings, timeout: .seconds(2), heartbeatSeconds: 0)
        connection.close()
    }

    @Test func wrongPasswordIsUnavailableNotACrash() throws {
        var wrong = settings
        wrong.password = "not-the-password"
        #expect(throws: MessagingError.self) { try AMQPConnection(settings: wrong, timeout: .seconds(2)) }
    }

    @Test func closedPortIsUnavailable() throws {
        var wrong = settings
        wrong.port = 1
        let error = #expect(throws: MessagingError.self) { try AMQPConnection(settings: wrong, timeout: .seconds(2)) }
        #expect(error?.code == .unavailable)
    }

    @Test func parsesAMQPSURLs() throws {
        let plain = try AMQPSettings(url: "amqp://u:p@h/v")
        #expect(plain.tls == nil && plain.port == 5672)
        let tls = try AMQPSettings(url: "amqps://u:p@b-1234.mq.eu-west-1.amazonaws.com/%2F")
        #expect(tls.tls == AMQPSettings.TLS(caFile: nil, verifyPeer: true) && tls.port == 5671 && tls.vhost == "/")
        #expect(try AMQPSettings(url: "amqps://u:p@h:1/v?verify=verify_none").tls?.verifyPeer == false)
        #expect(try AMQPSettings(url: "amqps://u:p@h/v?cacertfile=/etc/hostname").tls?.caFile == "/etc/hostname")
        #expect(throws: MessagingError.self) { try AMQPSettings(url: "amqps://u:p@h/v?cacertfile=/no/such.pem") }
        #expect(throws: MessagingError.self) { try AMQPSettings(url: "amqp://u:p@h/v?cacertfile=/etc/hostname") }
        #expect(throws: MessagingError.self) { try AMQPSettings(url: "amqps://u:p@h/v?heartbeat=5") }
    }

    /// Over the broker's TLS listener, verified against the dev CA: publish with a confirm, consume, ack.
    @Test func publishesAndConsumesOverTLS() throws {
        let url = try #require(ProcessInfo.processInfo.environment["AMQP_TLS_URL"], "AMQP_TLS_URL is not set: run the tests with infra/dev/test (IF_TLS=1)")
        let tls = try AMQPSettings(url: url)
        let queue = "tls-\(UUID().uuidString.prefix(8))"
        let connection = try AMQPConnection(settings: tls)
        try connection.declare(QueueTopology(queue: queue, deliveryLimit: 2))
        try connection.publish(AMQPMessage(body: Array("over tls".utf8)), to: queue)
        try connection.consume(queue: queue, prefetch: 1)
        let delivery = try #require(try connection.nextDelivery(timeout: .seconds(5)))
        #expect(delivery.message.body == Array("over tls".utf8))
        try connection.ack(delivery.deliveryTag)
        connection.close()

        // The same listener with the system's CAs only: the handshake fails, with a message that says so.
        var untrusted = tls
        untrusted.tls?.caFile = nil
        let error = #expect(throws: MessagingError.self) { try AMQPConnection(settings: untrusted, timeout: .seconds(2)) }
        #expect(error?.message.contains("TLS handshake") == true)
        // Plain AMQP against the TLS port does not get in either.
        var plain = tls
        plain.tls = nil
        #expect(throws: MessagingError.self) { try AMQPConnection(settings: plain, timeout: .seconds(2)) }
    }

    @Test func publishesWithConfirmAndConsumes() throws {
        let queue = "test-\(UUID().uuidString.prefix(8))"
        let topology = QueueTopology(queue: queue, deliveryLimit: 2)
        let connection = try AMQPConnection(settings: settings)
        try connection.declare(topology)
        let message = AMQPMessage(
            body: Array("hello".utf8), contentType: "text/plain", headers: ["attempt": .integer(1), "kind": .string("greeting")],
            messageID: "m-1", timestamp: 1_700_000_000
        )
        try connection.publish(message, to: queue)
        #expect(try connection.messageCount(queue: queue) == 1)

        let consumer = try AMQPConnection(settings: settings)
        try consumer.consume(queue: queue, prefetch: 1)
        let delivery = try #require(try consumer.nextDelivery(timeout: .seconds(5)))
        #expect(delivery.message.body == Array("hello".utf8))
        #expect(delivery.message.contentType == "text/plain")
        #expect(delivery.message.messageID == "m-1")
        #expect(delivery.message.timestamp == 1_700_000_000)
        #expect(delivery.message.persistent)
        #expect(delivery.message.headers["kind"] == .string("greeting"))
        #expect(delivery.message.headers["attempt"] == .integer(1))
        #expect(delivery.redelivered == false)
        try consumer.ack(delivery.deliveryTag)
        #expect(try consumer.nextDelivery(timeout: .milliseconds(200)) == nil)
        consumer.close()
        try connection.purge(queue: topology.deadLetterQueue)
    }

    @Test func rejectedBeyondTheDeliveryLimitIsDeadLettered() throws {
        let queue = "test-\(UUID().uuidString.prefix(8))"
        let topology = QueueTopology(queue: queue, deliveryLimit: 1)
        let connection = try AMQPConnection(settings: settings)
        try connection.declare(topology)
        try connection.publish(AMQPMessage(body: Array("poison".utf8)), to: queue)

        let consumer = try AMQPConnection(settings: settings)
        try consumer.consume(queue: queue, prefetch: 1)
        var deliveries = 0
        while let delivery = try consumer.nextDelivery(timeout: .seconds(2)) {
            deliveries += 1
            try consumer.reject(delivery.deliveryTag, requeue: true)
            if deliveries > 5 { break }
        }
        #expect(deliveries == 2)  // the first delivery and one redelivery
        #expect(try connection.messageCount(queue: topology.deadLetterQueue) == 1)
        try connection.purge(queue: topology.deadLetterQueue)
    }

    @Test func unroutablePublishIsRejected() throws {
        let connection = try AMQPConnection(settings: settings)
        let error = #expect(throws: MessagingError.self) {
            try connection.publish(AMQPMessage(body: [1]), to: "no-such-queue-\(UUID().uuidString)")
        }
        #expect(error?.code == .rejected)
    }
}

@Suite struct AMQPSettingsTests {
    @Test func parsesURLs() throws {
        let s = try AMQPSettings(url: "amqp://u%40x:p%2Fw@127.0.0.1:5673/%2F")
        #expect(s.username == "u@x")
        #expect(s.password == "p/w")
        #expect(s.port == 5673)
        #expect(s.vhost == "/")
        #expect(try AMQPSettings(url: "amqp://127.0.0.1").vhost == "/")
        #expect(throws: MessagingError.self) { try AMQPSettings(url: "http://x") }
    }
}

/// The publisher declares its queues itself, so a broker nobody prepared (a new Amazon MQ broker) works.
@Suite struct JobPublisherTopologyTests {
    @Test func aFreshQueueIsDeclaredWithItsDeadLettersOnFirstPublish() async throws {
        let settings = try AMQPSettings(url: try #require(ProcessInfo.processInfo.environment["AMQP_URL"], "AMQP_URL is not set: run the tests with infra/dev/test"))
        let topology = QueueTopology(queue: "fresh-\(UUID().uuidString.prefix(8).lowercased())", deliveryLimit: 2)
        let probe = try AMQPConnection(settings: settings)
        #expect(throws: MessagingError.self) { try probe.messageCount(queue: topology.queue) }  // not there yet

        let publisher = JobPublisher(settings: settings, topologies: [topology])
        try await publisher.publish(Array(#"{"job":1}"#.utf8), to: topology.queue, messageID: "j-1")
        let check = try AMQPConnection(settings: settings)
        #expect(try check.messageCount(queue: topology.queue) == 1)
        #expect(try check.messageCount(queue: topology.deadLetterQueue) == 0)
        // Declared as a quorum queue with the delivery limit: another limit is refused, the same one is not.
        #expect(throws: MessagingError.self) { try AMQPConnection(settings: settings).declare(QueueTopology(queue: topology.queue, deliveryLimit: 5)) }
        try AMQPConnection(settings: settings).declare(topology)
        // Declaring again from a new publisher (a cold start) changes nothing; a mismatched one says why.
        #expect(try await JobPublisher(settings: settings, topologies: [topology]).declareTopology() == [topology.queue])
        let mismatched = JobPublisher(settings: settings, topologies: [QueueTopology(queue: topology.queue, deliveryLimit: 7)])
        let error = await #expect(throws: MessagingError.self) { try await mismatched.declareTopology() }
        #expect(error?.message.contains("QUEUE_DELIVERY_LIMIT") == true)
        try check.purge(queue: topology.queue)
    }
}
