import Foundation
import PostgresNIO
import Storage
import Testing

/// A database of its own for a test, on the test PostgreSQL, dropped afterwards: its URL goes to the workers,
/// and local-runtime's startup runs the real `migrate` function on it.
enum ScratchDatabase {
    static func with<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let url = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"], "DATABASE_URL is not set: run the tests with infra/dev/test")
        var components = try #require(URLComponents(string: url))
        let name = "e2e_\(UUID().uuidString.prefix(8).lowercased())"
        return try await withClient(url) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            components.path = "/\(name)"
            do {
                let result = try await body(components.string!)
                _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"))
                return result
            } catch {
                _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"))
                throw error
            }
        }
    }

    /// Runs statements on a scratch database behind the service's back (to stage a crash's leftovers).
    static func execute(_ url: String, _ queries: [PostgresQuery]) async throws {
        try await withClient(url) { client in
            for query in queries { try await client.query(query) }
        }
    }

    /// A client of the database at `url` (parsed as the service parses DATABASE_URL) for the length of `body`.
    private static func withClient<T: Sendable>(_ url: String, _ body: (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: try DatabaseSettings(url: url).clientConfiguration)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
