import Messaging
import PostgresNIO
import Storage

/// One dependency the service cannot work without, and how to tell it answers.
struct DependencyCheck: Sendable {
    var name: String
    var probe: @Sendable () async throws -> Void

    /// `SELECT 1` through the pool.
    static func postgres(_ client: PostgresClient?) -> DependencyCheck {
        DependencyCheck(name: "postgres") {
            guard let client else { throw ConfigurationError("DATABASE_URL is not set") }
            try await client.query("SELECT 1")
        }
    }

    /// `HEAD` of the bucket, signed: the store answers and the credentials may use the bucket.
    static func s3(_ client: S3Client?) -> DependencyCheck {
        DependencyCheck(name: "s3") {
            guard let client else { throw ConfigurationError("S3_ENDPOINT is not set") }
            try await client.headBucket()
        }
    }

    /// An AMQP login to the vhost. rabbitmq-c blocks, so it runs on NIO's thread pool, not the event loop.
    static func rabbitMQ(_ settings: AMQPSettings?) -> DependencyCheck {
        DependencyCheck(name: "rabbitmq") {
            guard let settings else { throw ConfigurationError("AMQP_URL is not set") }
            try await offloaded {
                let connection = try AMQPConnection(settings: settings, timeout: .seconds(2), heartbeatSeconds: 0)
                connection.close()
            }
        }
    }
}
