import Foundation
import Logging
import PostgresNIO

/// An API key as stored: never its secret, only the secret's SHA-256 digest.
public struct APIKeyRecord: Sendable, Equatable {
    public var id: UUID
    public var ownerID: UUID
    public var name: String
    /// The public part of the secret (`ifk_<prefix>_...`), by which a request's key is found.
    public var prefix: String
    public var secretDigest: [UInt8]
    public var scopes: [String]
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?

    public init(
        id: UUID, ownerID: UUID, name: String, prefix: String, secretDigest: [UInt8], scopes: [String],
        createdAt: Date = Date(), expiresAt: Date? = nil, lastUsedAt: Date? = nil
    ) {
        self.id = id
        self.ownerID = ownerID
        self.name = name
        self.prefix = prefix
        self.secretDigest = secretDigest
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }
}

/// All SQL about API keys (migration 12), scoped to the owner wherever a user asks.
public struct APIKeyRepository: Sendable {
    let client: DatabasePool
    let logger: Logger

    /// How stale `last_used_at` may get: a key used many times a second updates its row once a minute.
    public static let lastUseResolution: TimeInterval = 60

    public init(client: PostgresClient, logger: Logger) {
        self.client = DatabasePool(client)
        self.logger = logger
    }

    /// Stores the key unless its owner has `limit` already; false then.
    public func create(_ key: APIKeyRecord, limit: Int) async throws(StorageError) -> Bool {
        let rows = try await keys(
            """
            INSERT INTO api_keys AS k (id, owner_id, name, prefix, secret_digest, scopes, created_at, expires_at)
            SELECT \(key.id), \(key.ownerID), \(key.name), \(key.prefix), \(ByteBuffer(bytes: key.secretDigest)), \(key.scopes), \(key.createdAt), \(key.expiresAt)
            WHERE (SELECT count(*) FROM api_keys WHERE owner_id = \(key.ownerID)) < \(limit)
            RETURNING \(unescaped: Self.columns)
            """
        )
        return !rows.isEmpty
    }

    /// The owner's keys, newest first.
    public func list(owner: UUID) async throws(StorageError) -> [APIKeyRecord] {
        try await keys("SELECT \(unescaped: Self.columns) FROM api_keys AS k WHERE owner_id = \(owner) ORDER BY created_at DESC, id DESC")
    }

    /// Revokes the key: the row is gone, so the next request with it is refused. False when the owner has no
    /// such key.
    public func delete(_ id: UUID, owner: UUID) async throws(StorageError) -> Bool {
        !(try await keys("DELETE FROM api_keys AS k WHERE id = \(id) AND owner_id = \(owner) RETURNING \(unescaped: Self.columns)")).isEmpty
    }

    /// The key with this prefix, and its owner, in one read (a request with a key needs both).
    public func find(prefix: String) async throws(StorageError) -> (key: APIKeyRecord, owner: UserRecord)? {
        do {
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.columns), u.username, u.password_hash, u.created_at
                FROM api_keys k JOIN users u ON u.id = k.owner_id WHERE k.prefix = \(prefix)
                """,
                logger: logger
            )
            for try await row in rows {
                let key = try Self.key(row)
                let columns = row.makeRandomAccess()
                let owner = UserRecord(
                    id: key.ownerID, username: try columns[9].decode(String.self), passwordHash: try columns[10].decode(String.self),
                    createdAt: try columns[11].decode(Date.self)
                )
                return (key, owner)
            }
            return nil
        } catch {
            throw StorageError(.unavailable, "the database could not read the API key", underlying: error)
        }
    }

    /// Notes a use of the key, unless one was noted within `lastUseResolution`.
    public func noteUse(_ id: UUID, at now: Date = Date()) async throws(StorageError) {
        let staleBefore = now.addingTimeInterval(-Self.lastUseResolution)
        try await client.execute(
            "UPDATE api_keys SET last_used_at = \(now) WHERE id = \(id) AND (last_used_at IS NULL OR last_used_at < \(staleBefore))",
            logger: logger
        )
    }

    static let columns = "k.id, k.owner_id, k.name, k.prefix, k.secret_digest, k.scopes, k.created_at, k.expires_at, k.last_used_at"

    private func keys(_ query: PostgresQuery) async throws(StorageError) -> [APIKeyRecord] {
        do {
            var found: [APIKeyRecord] = []
            for try await row in try await client.query(query, logger: logger) { found.append(try Self.key(row)) }
            return found
        } catch {
            throw StorageError(.unavailable, "the database could not use the API keys", underlying: error)
        }
    }

    /// The key from a row that starts with `columns` (a row may hold more after them).
    private static func key(_ row: PostgresRow) throws -> APIKeyRecord {
        let c = row.makeRandomAccess()
        return APIKeyRecord(
            id: try c[0].decode(UUID.self), ownerID: try c[1].decode(UUID.self), name: try c[2].decode(String.self),
            prefix: try c[3].decode(String.self), secretDigest: Array(buffer: try c[4].decode(ByteBuffer.self)),
            scopes: try c[5].decode([String].self), createdAt: try c[6].decode(Date.self), expiresAt: try c[7].decode(Date?.self),
            lastUsedAt: try c[8].decode(Date?.self)
        )
    }
}
