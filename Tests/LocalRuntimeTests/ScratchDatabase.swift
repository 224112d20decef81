import Foundation
import PostgresNIO
import Testing

/// A database of its own for a test, on the test PostgreSQL, dropped afterwards: its URL goes to the workers,
/// and local-runtime's startup runs the real `migrate` function on it.
enum ScratchDatabase {
    static func with<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let url = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"], "DATABASE_URL is not set: run the tests with infra/dev/test")
        var components = try #require(URLComponents(string: url))
        let name = "e2e_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = PostgresClient(configuration: .init(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "",
            password: components.password, database: String(components.path.dropFirst()), tls: .disable
        ))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            defer { group.cancelAll() }
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
        let components = try #require(URLComponents(string: url))
        let client = PostgresClient(configuration: .init(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "",
            password: components.password, database: String(components.path.dropFirst()), tls: .disable
        ))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            for query in queries { try await client.query(query) }
        }
    }
}
