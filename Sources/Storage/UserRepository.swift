import Foundation
import Logging
import PostgresNIO

/// A user as stored.
public struct UserRecord: Sendable, Equatable {
    public var id: UUID
    public var username: String
    public var passwordHash: String
    public var createdAt: Date
}

/// All SQL about users. Usernames are unique case-insensitively (the `users_username_lower` index).
public struct UserRepository: Sendable {
    let client: DatabasePool
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = DatabasePool(client)
        self.logger = logger
    }

    /// Inserts a user; nil when the username is taken (in any case).
    public func create(username: String, passwordHash: String) async throws(StorageError) -> UserRecord? {
        let id = UUID()
        do {
            let rows = try await client.query(
                """
                INSERT INTO users (id, username, password_hash) VALUES (\(id), \(username), \(passwordHash))
                ON CONFLICT ((lower(username))) DO NOTHING
                RETURNING id, username, password_hash, created_at
                """,
                logger: logger
            )
            for try await (id, name, hash, created) in rows.decode((UUID, String, String, Date).self) {
                return UserRecord(id: id, username: name, passwordHash: hash, createdAt: created)
            }
            return nil
        } catch {
            throw StorageError(.unavailable, "the database could not store the user", underlying: error)
        }
    }

    public func find(username: String) async throws(StorageError) -> UserRecord? {
        try await first(
            "SELECT id, username, password_hash, created_at FROM users WHERE lower(username) = lower(\(username))"
        )
    }

    public func find(id: UUID) async throws(StorageError) -> UserRecord? {
        try await first("SELECT id, username, password_hash, created_at FROM users WHERE id = \(id)")
    }

    private func first(_ query: PostgresQuery) async throws(StorageError) -> UserRecord? {
        do {
            let rows = try await client.query(query, logger: logger)
            for try await (id, name, hash, created) in rows.decode((UUID, String, String, Date).self) {
                return UserRecord(id: id, username: name, passwordHash: hash, createdAt: created)
            }
            return nil
        } catch {
            throw StorageError(.unavailable, "the database could not be read", underlying: error)
        }
    }
}
