import Foundation
import Logging
import PostgresNIO

/// A presigned upload waiting for its bytes: where the client puts them, and what it said they are.
/// (What became of a completed one is `UploadRepository.Claim.completed`.)
public struct UploadRecord: Sendable, Equatable {
    public var id: UUID
    public var ownerID: UUID
    public var objectKey: String
    public var filename: String?
    /// The size the client declared, signed into the upload URL as `content-length`.
    public var sizeBytes: Int
    public var expiresAt: Date

    public init(id: UUID, ownerID: UUID, objectKey: String, filename: String?, sizeBytes: Int, expiresAt: Date) {
        self.id = id
        self.ownerID = ownerID
        self.objectKey = objectKey
        self.filename = filename
        self.sizeBytes = sizeBytes
        self.expiresAt = expiresAt
    }
}

/// All SQL about presigned uploads (migration 6), scoped to the owner like every other read.
public struct UploadRepository: Sendable {
    let client: DatabasePool
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = DatabasePool(client)
        self.logger = logger
    }

    /// What a completion may do with an upload.
    public enum Claim: Sendable, Equatable {
        /// No such upload for this owner.
        case notFound
        /// Completed before; the image it made (nil when that image was deleted since).
        case completed(imageID: UUID?)
        /// Another completion is working on it right now.
        case inProgress
        /// This completion has it, until `complete` or `release`.
        case claimed(UploadRecord)
    }

    /// A claim held longer than this is taken to belong to a completion that died.
    static let claimSeconds = 120

    public func create(_ upload: UploadRecord) async throws(StorageError) {
        try await execute(
            """
            INSERT INTO uploads (id, owner_id, object_key, filename, size_bytes, expires_at)
            VALUES (\(upload.id), \(upload.ownerID), \(upload.objectKey), \(upload.filename), \(upload.sizeBytes), \(upload.expiresAt))
            """
        )
    }

    public func claim(_ id: UUID, owner: UUID) async throws(StorageError) -> Claim {
        do {
            let claimed = try await client.query(
                """
                UPDATE uploads SET claimed_at = now()
                WHERE id = \(id) AND owner_id = \(owner) AND completed_at IS NULL
                  AND (claimed_at IS NULL OR claimed_at < now() - \(Self.claimSeconds) * interval '1 second')
                RETURNING id, owner_id, object_key, filename, size_bytes::int, expires_at
                """,
                logger: logger
            )
            for try await row in claimed {
                let (id, owner, key, filename, size, expires) = try row.decode((UUID, UUID, String, String?, Int, Date).self)
                return .claimed(UploadRecord(id: id, ownerID: owner, objectKey: key, filename: filename, sizeBytes: size, expiresAt: expires))
            }
            let state = try await client.query(
                "SELECT completed_at, image_id FROM uploads WHERE id = \(id) AND owner_id = \(owner)", logger: logger
            )
            for try await row in state {
                let (completed, image) = try row.decode((Date?, UUID?).self)
                return completed == nil ? .inProgress : .completed(imageID: image)
            }
            return .notFound
        } catch {
            throw StorageError(.unavailable, "the database could not be read", underlying: error)
        }
    }

    /// The upload made `imageID`; later completions answer with it.
    public func complete(_ id: UUID, imageID: UUID) async throws(StorageError) {
        try await execute("UPDATE uploads SET completed_at = now(), image_id = \(imageID), claimed_at = NULL WHERE id = \(id)")
    }

    /// The completion gave up (nothing uploaded yet, invalid bytes, an outage): the upload may be completed again.
    public func release(_ id: UUID) async throws(StorageError) {
        try await execute("UPDATE uploads SET claimed_at = NULL WHERE id = \(id)")
    }

    /// Of `keys` (objects under `uploads/`), those that no upload still waiting for completion names: the
    /// sweeper deletes them once they are old enough.
    public func unreferencedKeys(_ keys: [String]) async throws(StorageError) -> [String] {
        guard !keys.isEmpty else { return [] }
        do {
            let rows = try await client.query(
                """
                SELECT k FROM unnest(\(keys)::text[]) AS k
                WHERE NOT EXISTS (SELECT 1 FROM uploads WHERE object_key = k AND completed_at IS NULL AND expires_at > now())
                """,
                logger: logger
            )
            var unreferenced: [String] = []
            for try await key in rows.decode(String.self) { unreferenced.append(key) }
            return unreferenced
        } catch {
            throw StorageError(.unavailable, "the database could not be read", underlying: error)
        }
    }

    /// Deletes uploads whose URL expired more than `age` seconds ago; their objects are the orphan sweep's.
    public func deleteExpired(olderThan age: Double) async throws(StorageError) -> Int {
        do {
            let rows = try await client.query(
                "DELETE FROM uploads WHERE expires_at < now() - \(age) * interval '1 second' RETURNING id", logger: logger
            )
            var count = 0
            for try await _ in rows { count += 1 }
            return count
        } catch {
            throw StorageError(.unavailable, "the database could not be written", underlying: error)
        }
    }

    func execute(_ query: PostgresQuery) async throws(StorageError) {
        try await client.execute(query, logger: logger)
    }
}
