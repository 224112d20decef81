import Logging
import PostgresNIO

/// Applies `Migration.all` that the database does not have yet. Safe to run from several processes at
/// once: a transaction-scoped advisory lock serializes them.
public struct Migrator: Sendable {
    /// An arbitrary constant naming this project's migration lock.
    static let lockKey: Int64 = 0x696d_6766_6e63  // "imgfnc"

    public let client: PostgresClient
    public let migrations: [Migration]
    public let logger: Logger

    public init(client: PostgresClient, migrations: [Migration] = Migration.all, logger: Logger) {
        self.client = client
        self.migrations = migrations
        self.logger = logger
    }

    /// Returns the versions it applied (empty when the schema was current).
    @discardableResult
    public func migrate() async throws(StorageError) -> [Int] {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version integer PRIMARY KEY,
                        name text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """,
                    logger: logger
                )
                var applied = Set<Int>()
                for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger)
                    .decode(Int.self)
                {
                    applied.insert(version)
                }
                var done: [Int] = []
                for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                        logger: logger
                    )
                    logger.info("migration applied", metadata: ["migration.version": "\(migration.version)"])
                    done.append(migration.version)
                }
                return done
            }
        } catch {
            throw StorageError(.migrationFailed, "the database schema could not be migrated", underlying: error)
        }
    }
}
