import Foundation
import Logging
import PostgresNIO
import Storage
import Testing

/// Migrations against the real PostgreSQL of infra/dev/services, in a scratch database of their own.
@Suite struct MigratorTests {
    @Test func parsesDatabaseURLs() throws {
        let s = try DatabaseSettings(url: "postgres://user%40x:p%2Fw@127.0.0.1:5433/images")
        #expect(s.username == "user@x")
        #expect(s.password == "p/w")
        #expect(s.port == 5433)
        #expect(s.database == "images")
        #expect(throws: StorageError.self) { try DatabaseSettings(url: "mysql://a@b/c") }
    }

    @Test func appliesOnceAndIsIdempotentUnderConcurrency() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"], "DATABASE_URL is not set: run the tests with infra/dev/test")
        let settings = try DatabaseSettings(url: url)
        let logger = Logger(label: "migrator-test")
        let scratch = "migrate_\(UUID().uuidString.prefix(8).lowercased())"
        try await withClient(settings.clientConfiguration) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(scratch)"))
        }
        var scratchConfig = settings.clientConfiguration
        scratchConfig.database = scratch
        try await withClient(scratchConfig) { client in
            // Two migrators at once, as two deploys might: one applies, the other finds nothing to do.
            async let a = Migrator(client: client, logger: logger).migrate()
            async let b = Migrator(client: client, logger: logger).migrate()
            let applied = try await [a, b].sorted { $0.count < $1.count }
            #expect(applied[0] == [])
            #expect(applied[1] == Migration.all.map(\.version))
            #expect(try await Migrator(client: client, logger: logger).migrate() == [])

            let rows = try await client.query("SELECT count(*)::int FROM schema_migrations")
            for try await count in rows.decode(Int.self) { #expect(count == Migration.all.count) }
            // The unique variant index is there: the same spec of the same source cannot be stored twice.
            let index = try await client.query("SELECT count(*)::int FROM pg_indexes WHERE indexname = 'images_source_spec'")
            for try await count in index.decode(Int.self) { #expect(count == 1) }
        }
        try await withClient(settings.clientConfiguration) { admin in
            // FORCE: the scratch pool's connections may still be closing when its client returns (CI failed
            // once on "being accessed by other users").
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(scratch) WITH (FORCE)"))
        }
    }

    @Test func unreachableDatabaseIsAMigrationFailureWithASafeMessage() async throws {
        var config = try DatabaseSettings(url: "postgres://u:secret-password@127.0.0.1:1/db").clientConfiguration
        config.options.connectTimeout = .milliseconds(300)
        try await withClient(config) { client in
            let error = await #expect(throws: StorageError.self) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await Migrator(client: client, logger: Logger(label: "t")).migrate() }
                    group.addTask {
                        try await Task.sleep(for: .seconds(5))
                        throw StorageError(.migrationFailed, "timed out")
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
            #expect(error?.description.contains("secret-password") == false)
        }
    }

    /// A migrated scratch database of its own on the tests' PostgreSQL, dropped afterwards.
    static func withScratchDatabase(_ prefix: String, _ body: (PostgresClient) async throws -> Void) async throws {
        let url = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"], "DATABASE_URL is not set: run the tests with infra/dev/test")
        let settings = try DatabaseSettings(url: url)
        let scratch = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        let tests = MigratorTests()
        try await tests.withClient(settings.clientConfiguration) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(scratch)"))
        }
        var configuration = settings.clientConfiguration
        configuration.database = scratch
        try await tests.withClient(configuration) { client in
            _ = try await Migrator(client: client, logger: Logger(label: "t")).migrate()
            try await body(client)
        }
        try await tests.withClient(settings.clientConfiguration) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(scratch) WITH (FORCE)"))
        }
    }

    func withClient(_ configuration: PostgresClient.Configuration, _ body: (PostgresClient) async throws -> Void) async throws {
        let client = PostgresClient(configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(client)
        }
    }
}
