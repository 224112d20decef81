import Foundation
import Logging
import Messaging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One consuming connection to RabbitMQ, on a thread of its own: rabbitmq-c blocks and is not thread-safe, so
/// the connection is made, used and closed on that thread only and never leaves it. The thread sleeps in
/// poll(2) on the socket and a pipe: it wakes for incoming frames (deliveries go out on `deliveries`), for
/// commands (settle an outcome, stop consuming, close), and once per `heartbeatTick`, so that rabbitmq-c
/// answers the broker's heartbeats on an idle connection.
final class ConsumingConnection: Sendable {
    enum Command: Sendable {
        case settle(tag: UInt64, success: Bool)
        case stopConsuming
        case close
    }

    /// Deliveries until `stopConsuming` (then the stream finishes) or until the connection fails (it throws).
    let deliveries: AsyncThrowingStream<AMQPDelivery, any Error>
    private let continuation: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation
    private let commands = Mutex<[Command]>([])
    /// A pipe written to wake the thread for a command: (read end, write end), both non-blocking.
    private let wakeup: (read: Int32, write: Int32)
    private let opened = Promise<Result<Void, MessagingError>>()
    private let closed = Promise<Void>()

    static let heartbeatTick: Int32 = 5_000  // ms, well inside the 30 s heartbeat

    /// Connects, declares the topology and starts consuming `queue`, on the connection's thread.
    init(
        settings: AMQPSettings, topology: QueueTopology, queue: String, prefetch: UInt16, metrics: RuntimeMetrics, logger: Logger
    ) async throws {
        (deliveries, continuation) = AsyncThrowingStream.makeStream()
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw MessagingError(.unavailable, "could not create a pipe") }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wakeup = (ends[0], ends[1])
        let thread = Thread { [self] in
            serve(settings: settings, topology: topology, queue: queue, prefetch: prefetch, metrics: metrics, logger: logger)
        }
        thread.name = "amqp-\(queue)"
        thread.start()
        if case .failure(let error) = await opened.value {
            await closed.value
            throw error
        }
    }

    deinit {
        Glibc.close(wakeup.read)
        Glibc.close(wakeup.write)
    }

    /// Settles a delivery: acknowledged on success, returned to its queue otherwise. A delivery of a connection
    /// that is gone has gone back to its queue with it: its outcome is dropped.
    func settle(_ tag: UInt64, success: Bool) { send(.settle(tag: tag, success: success)) }

    /// Takes no more deliveries (`deliveries` finishes); settlements still go through until `close`.
    func stopConsuming() { send(.stopConsuming) }

    /// Closes the connection once the settlements sent before are done, and waits for the thread to end.
    func close() async {
        send(.close)
        await closed.value
    }

    private func send(_ command: Command) {
        commands.withLock { $0.append(command) }
        var byte: UInt8 = 1
        _ = write(wakeup.write, &byte, 1)  // a full pipe is a wake already pending
    }

    // MARK: The connection's thread

    private func serve(
        settings: AMQPSettings, topology: QueueTopology, queue: String, prefetch: UInt16, metrics: RuntimeMetrics, logger: Logger
    ) {
        let connection: AMQPConnection
        do {
            connection = try AMQPConnection(settings: settings)
            try connection.declare(topology)
            try connection.consume(queue: queue, prefetch: prefetch)
        } catch {
            continuation.finish(throwing: error)
            Task { await opened.fulfill(.failure(error)); await closed.fulfill(()) }
            return
        }
        Task { await opened.fulfill(.success(())) }
        logger.info("consuming")
        var consuming = true
        do {
            while true {
                let pending = commands.withLock { pending in defer { pending.removeAll() }; return pending }
                try perform(pending, on: connection, queue: queue, metrics: metrics, consuming: &consuming)
                var fds = [
                    pollfd(fd: wakeup.read, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: connection.fileDescriptor, events: Int16(POLLIN), revents: 0),
                ]
                // Frames rabbitmq-c has read already are not on the socket: take them without waiting.
                let ready = connection.hasBufferedInput ? 1 : poll(&fds, 2, Self.heartbeatTick)
                if fds[0].revents != 0 {
                    var drained = [UInt8](repeating: 0, count: 64)
                    while read(wakeup.read, &drained, drained.count) > 0 {}
                }
                // Read what has arrived (a TLS record may hold several frames), and on a quiet tick let rabbitmq-c
                // send and check heartbeats. Deliveries after stopConsuming are not taken: they stay unacknowledged
                // and go back to the queue when the connection closes.
                if ready == 0 || fds[1].revents != 0 || connection.hasBufferedInput {
                    while let delivery = try connection.nextDelivery(timeout: .zero) {
                        if consuming { continuation.yield(delivery) }
                    }
                }
            }
        } catch is CancellationError {
            connection.close()
        } catch {
            logger.warning("RabbitMQ connection lost", metadata: ["error.message": "\(error)"])
            continuation.finish(throwing: error)
            connection.close()
        }
        Task { await closed.fulfill(()) }
    }

    /// Carries out the commands sent since the last wake-up; throws `CancellationError` for `close`.
    private func perform(
        _ pending: [Command], on connection: AMQPConnection, queue: String, metrics: RuntimeMetrics, consuming: inout Bool
    ) throws {
        for command in pending {
            switch command {
            case .settle(let tag, true):
                try connection.ack(tag)
                metrics.queueDeliveries(queue, outcome: "ack").increment()
            case .settle(let tag, false):
                try connection.reject(tag, requeue: true)
                metrics.queueDeliveries(queue, outcome: "requeue").increment()
            case .stopConsuming:
                consuming = false
                continuation.finish()
            case .close:
                throw CancellationError()
            }
        }
    }
}
