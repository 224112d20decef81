import Foundation
import NIOPosix

/// Publishes persistent jobs with publisher confirms over one connection per process, reconnecting once when
/// the connection has gone. rabbitmq-c blocks, so publishing runs on NIO's thread pool, one at a time.
public final class JobPublisher: @unchecked Sendable {
    private let settings: AMQPSettings
    private let lock = NSLock()
    private var connection: AMQPConnection?

    public init(settings: AMQPSettings) {
        self.settings = settings
    }

    /// Publishes `body` to `queue` and returns once the broker confirmed it. The queue must exist (its owner,
    /// the consumer's configuration, declares it): an unroutable job is refused, not lost.
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
        connection = fresh
        return fresh
    }
}
