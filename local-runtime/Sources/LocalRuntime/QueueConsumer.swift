import FunctionRuntime
import Foundation
import Logging
import Messaging
import Synchronization

/// Feeds one queue function from RabbitMQ, as Lambda's event source mapping for Amazon MQ does: each delivery
/// becomes an `aws:rmq` event; success acknowledges it, any failure returns it to the queue, and the quorum
/// queue's delivery limit dead-letters it after too many attempts.
///
/// `run` is structured: every invocation is a child task of it, and it returns only when all of them are
/// settled. The connection lives on its own thread (`ConsumingConnection`) and is reopened with back-off when
/// it fails; deliveries not yet settled then go back to the queue with it.
final class QueueConsumer: Sendable {
    private let function: FunctionDescription
    /// Declared on every (re)connect; `queue` is its queue or its dead-letter queue.
    private let topology: QueueTopology
    private let queue: String
    private let settings: AMQPSettings
    private let prefetch: UInt16
    private let invoke: @Sendable (Data) async -> InvocationResult
    private let metrics: RuntimeMetrics
    private let logger: Logger

    private struct State {
        var stopped = false
        var current: ConsumingConnection?
    }
    private let state = Mutex(State())

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

    /// Consumes until `stop`, then waits for the invocations in flight, settles them and closes the connection.
    func run() async {
        var last: ConsumingConnection?
        await withDiscardingTaskGroup { group in
            var backoff = Duration.milliseconds(200)
            while !state.withLock({ $0.stopped }) {
                do {
                    let connection = try await ConsumingConnection(
                        settings: settings, topology: topology, queue: queue, prefetch: prefetch, metrics: metrics, logger: logger
                    )
                    // A stop that came while connecting applies to this connection too.
                    let stopped = state.withLock { state in
                        state.current = connection
                        return state.stopped
                    }
                    if stopped { connection.stopConsuming() }
                    backoff = .milliseconds(200)
                    do {
                        for try await delivery in connection.deliveries { dispatch(delivery, on: connection, in: &group) }
                        last = connection  // finished by stop: closed once its invocations are settled
                        return
                    } catch {
                        await connection.close()
                        throw error
                    }
                } catch {
                    guard !state.withLock({ $0.stopped }) else { return }
                    logger.warning("RabbitMQ connection lost; reconnecting", metadata: ["error.message": "\(error)"])
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(5))
                }
            }
        }
        await last?.close()
    }

    /// Takes no more deliveries; `run` returns once those in flight are settled.
    func stop() {
        let current = state.withLock { state in
            state.stopped = true
            return state.current
        }
        current?.stopConsuming()
    }

    private func dispatch(_ delivery: AMQPDelivery, on connection: ConsumingConnection, in group: inout DiscardingTaskGroup) {
        if delivery.redelivered { metrics.redeliveries(queue).increment() }
        let event = RabbitMQEventBuilder.event(for: delivery, queue: queue, vhost: settings.vhost)
        let data = (try? JSONEncoder().encode(event)) ?? Data()
        let tag = delivery.deliveryTag
        let invoke = self.invoke
        group.addTask {
            let result = await invoke(data)
            connection.settle(tag, success: result.isSuccess)
        }
    }
}
