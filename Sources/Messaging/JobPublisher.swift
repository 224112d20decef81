import Foundation
import NIOPosix

/// Publishes persistent jobs with publisher confirms over one connection per process, reconnecting once when
/// the connection has gone. rabbitmq-c blocks, so publishing runs on NIO's thread pool, one at a time.
/// Every new connection first declares the topologies it publishes into (idempotently), so a broker nobody
/// prepared, such as a new Amazon MQ broker, has its queues, dead-letter exchange and delivery limit.
public final class JobPublisher: @unchecked Sendable {
    private let settings: AMQPSettings
    private let topologies: [QueueTopology]
    private let lock = NSLock()
    private var connection: AMQPConnection?

    public init(settings: AMQPSettings, topologies: [QueueTopology] = []) {
        self.settings = settings
        self.topologies = topologies
    }

    /// Declares the topologies now (the `migrate` function does, once per deploy); returns their queues.
    public func declareTopology() async throws -> [String] {
        try await NIOThreadPool.singleton.runIfActive { [self] in
            try lock.withLock { try reconnect() }
        }
        return topologies.map(\.queue)
    }

    private func reconnect() throws {
        connection = nil
        _ = try current()
    }

    /// Publishes `body` to `queue` and returns once the broker confirmed it. An unroutable job (a queue that
    /// is not declared) is refused, not lost.
    public func publish(_ body: [UInt8], to queue: String, messageID: String) async throws {
        try await NIOThreadPool.singleton.runIfActive { [self] in
            try lock.withLock {
                let message = AMQPMessage(body: body, contentType: "application/json", persistent: true, messageID: messageID,
                                          timestamp: UInt64(Date().timeIntervalSince1970))
                do {
                    try current().publish(message, to: queue)
                } catch let error as MessagingError where error.code == .unavailable {
                    // The connection may have died since the last job: one fresh attempt.
                    connection = nil
                    try current().publish(message, to: queue)
                } catch {
                    connection = nil
                    throw error
                }
            }
        }
    }

    private func current() throws -> AMQPConnection {
        if let connection { return connection }
        let fresh = try AMQPConnection(settings: settings, timeout: .seconds(3))
        for topology in topologies { try Self.declare(topology, on: fresh) }
        connection = fresh
        return fresh
    }

    /// A queue that exists with other arguments is a configuration error worth its own message.
    private static func declare(_ topology: QueueTopology, on connection: AMQPConnection) throws {
        do {
            try connection.declare(topology)
        } catch {
            guard error.code == .rejected else { throw error }
            throw MessagingError(
                .invalidConfiguration,
                "queue \(topology.queue) exists with other arguments than a delivery limit of \(topology.deliveryLimit) (QUEUE_DELIVERY_LIMIT): \(error.message)"
            )
        }
    }
}
