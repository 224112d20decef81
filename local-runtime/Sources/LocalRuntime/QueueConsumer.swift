import FunctionRuntime
import Foundation
import Logging
import Messaging

/// Feeds one queue function from RabbitMQ, as Lambda's event source mapping for Amazon MQ does: each delivery
/// becomes an `aws:rmq` event; success acknowledges it, any failure returns it to the queue, and the quorum
/// queue's delivery limit dead-letters it after too many attempts.
///
/// rabbitmq-c blocks and is not thread-safe, so the connection lives on a thread of its own; invocations run
/// as tasks and hand their outcome back to that thread, which settles the delivery.
final class QueueConsumer: @unchecked Sendable {
    private let function: FunctionDescription
    /// Declared on every (re)connect; `queue` is its queue or its dead-letter queue.
    private let topology: QueueTopology
    private let queue: String
    private let settings: AMQPSettings
    private let prefetch: UInt16
    private let invoke: @Sendable (Data) async -> InvocationResult
    private let metrics: RuntimeMetrics
    private let logger: Logger

    private let lock = NSLock()
    private var running = true
    /// Outcomes waiting to be settled on the consumer thread, tagged with the connection they belong to.
    private var settlements: [(generation: Int, tag: UInt64, success: Bool)] = []
    private var inFlight = 0
    private let finished = DispatchSemaphore(value: 0)

    init(
        function: FunctionDescription, topology: QueueTopology, consuming queue: String, settings: AMQPSettings, prefetch: Int,
        metrics: RuntimeMetrics, logger: Logger, invoke: @escaping @Sendable (Data) async -> InvocationResult
    ) {
        self.function = function
        self.topology = topology
        self.queue = queue
        self.settings = settings
        self.prefetch = UInt16(clamping: max(prefetch, 1))
        self.invoke = invoke
        self.metrics = metrics
        _ = metrics.redeliveries(queue)  // at 0 from the start, not from the first redelivery
        var logger = logger
        logger[metadataKey: "queue"] = .string(queue)
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in
            consumeUntilStopped()
            finished.signal()
        }
        thread.name = "amqp-\(queue)"
        thread.start()
    }

    /// Stops taking deliveries, waits for the invocations in flight to be settled, then closes the connection.
    func stop() async {
        lock.withLock { running = false }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.finished.wait()
                continuation.resume()
            }
        }
    }

    private var isRunning: Bool { lock.withLock { running } }

    private func consumeUntilStopped() {
        var generation = 0
        var backoff = Duration.milliseconds(200)
        while isRunning {
            generation += 1
            do {
                let connection = try AMQPConnection(settings: settings)
                try connection.declare(topology)
                try connection.consume(queue: queue, prefetch: prefetch)
                logger.info("consuming", metadata: ["function": "\(function.name)"])
                backoff = .milliseconds(200)
                try serve(connection, generation: generation)
                connection.close()
                return
            } catch {
                // Deliveries not yet settled go back to the queue with the connection; forget them.
                lock.withLock { settlements.removeAll { $0.generation == generation } }
                guard isRunning else { return }
                logger.warning("RabbitMQ connection lost; reconnecting", metadata: ["error.message": "\(error)"])
                Thread.sleep(forTimeInterval: Double(backoff.components.attoseconds) / 1e18 + Double(backoff.components.seconds))
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    /// Delivers and settles until stopped and drained, or until the connection fails (thrown).
    private func serve(_ connection: AMQPConnection, generation: Int) throws {
        while true {
            let ready: [(generation: Int, tag: UInt64, success: Bool)] = lock.withLock {
                let mine = settlements.filter { $0.generation == generation }
                settlements.removeAll()
                return mine
            }
            for settlement in ready {
                if settlement.success {
                    try connection.ack(settlement.tag)
                    metrics.queueDeliveries(queue, outcome: "ack").increment()
                } else {
                    try connection.reject(settlement.tag, requeue: true)
                    metrics.queueDeliveries(queue, outcome: "requeue").increment()
                }
            }
            let (stillRunning, busy) = lock.withLock { (running, inFlight) }
            if !stillRunning {
                if busy == 0 { return }
                Thread.sleep(forTimeInterval: 0.02)
                continue
            }
            guard let delivery = try connection.nextDelivery(timeout: .milliseconds(50)) else { continue }
            dispatch(delivery, generation: generation)
        }
    }

    private func dispatch(_ delivery: AMQPDelivery, generation: Int) {
        if delivery.redelivered { metrics.redeliveries(queue).increment() }
        let event = RabbitMQEventBuilder.event(for: delivery, queue: queue, vhost: settings.vhost)
        let data = (try? JSONEncoder().encode(event)) ?? Data()
        lock.withLock { inFlight += 1 }
        let tag = delivery.deliveryTag
        let invoke = self.invoke
        Task {
            let result = await invoke(data)
            self.lock.withLock {
                self.inFlight -= 1
                self.settlements.append((generation, tag, result.isSuccess))
            }
        }
    }
}
