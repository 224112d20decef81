import Logging
import Messaging
import PostgresNIO
import ServiceLifecycle
import Storage

/// What handlers share within one process: configuration and connection pools. Built once at cold start.
/// Pools connect lazily, so a function that never touches PostgreSQL never opens a connection. What is not
/// configured is nil here; functions take what they need through `require` (`Needs.swift`), non-optional.
public struct FunctionEnvironment: Sendable {
    public let configuration: Configuration
    public let postgres: PostgresClient?
    public let s3: S3Client?
    /// Transform jobs go out through this (one connection per process, opened on first use).
    public let publisher: JobPublisher?
    /// Stored objects this process read or wrote lately, by key and content hash.
    let objectCache: ObjectCache
    public let logger: Logger

    /// The environment and the services that must run beside the invocation loop (the PostgreSQL pool).
    public static func make(environment: [String: String], logger: Logger) throws -> (FunctionEnvironment, [any Service]) {
        let configuration = try Configuration(environment: environment)
        let postgres = configuration.database.map {
            PostgresClient(configuration: $0.clientConfiguration, backgroundLogger: logger)
        }
        let s3 = configuration.s3.map { S3Client(settings: $0) }
        let publisher = configuration.amqp.map {
            JobPublisher(
                settings: $0,
                topologies: [
                    QueueTopology(queue: configuration.transformQueue, deliveryLimit: configuration.queueDeliveryLimit),
                    webhookTopology(configuration),
                    QueueTopology(queue: configuration.cachePurgeQueue, deliveryLimit: configuration.queueDeliveryLimit),
                ]
            )
        }
        let shared = FunctionEnvironment(
            configuration: configuration, postgres: postgres, s3: s3, publisher: publisher,
            objectCache: ObjectCache(budgetBytes: configuration.objectCacheBytes), logger: logger
        )
        return (shared, postgres.map { [$0] } ?? [])
    }

    /// The webhook queue with a delay queue per retry delay.
    var webhookTopology: QueueTopology { Self.webhookTopology(configuration) }

    static func webhookTopology(_ configuration: Configuration) -> QueueTopology {
        QueueTopology(
            queue: configuration.webhooks.queue, deliveryLimit: configuration.queueDeliveryLimit,
            retryDelays: Array(Set(configuration.webhooks.retryDelays)).sorted()
        )
    }
}
