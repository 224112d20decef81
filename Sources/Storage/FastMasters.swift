import Foundation
import PostgresNIO

/// Originals stored before fast masters (migration 11), which the sweeper checks a few at a time: a JPEG
/// stored with progressive scans gets a lossless baseline master under a new key; every checked row is done.
extension ImageRepository {
    /// An original still to be checked.
    public struct PendingMaster: Sendable, Equatable {
        public var id: UUID
        public var ownerID: UUID
        public var objectKey: String
    }

    /// Up to `limit` originals still to be checked, in id order.
    public func pendingMasters(limit: Int) async throws(StorageError) -> [PendingMaster] {
        do {
            let rows = try await client.query(
                """
                SELECT id, owner_id, object_key FROM images
                WHERE master_pending AND status = 'ready' AND object_key IS NOT NULL
                ORDER BY id LIMIT \(limit)
                """,
                logger: logger
            )
            var found: [PendingMaster] = []
            for try await (id, owner, key) in rows.decode((UUID, UUID, String).self) {
                found.append(PendingMaster(id: id, ownerID: owner, objectKey: key))
            }
            return found
        } catch {
            throw StorageError(.unavailable, "the database could not be read", underlying: error)
        }
    }

    /// Points the row at its new master, in one statement and only while it still points at `oldKey` (a row
    /// deleted or changed meanwhile keeps what it has). Returns whether it did; the caller then removes the
    /// object it wrote. The old object is left to the orphan sweep, so a reader that read the row just before
    /// still finds its bytes.
    public func replaceMaster(_ id: UUID, oldKey: String, newKey: String, sizeBytes: Int, contentHash: String)
        async throws(StorageError) -> Bool
    {
        let updated = try await first(
            """
            UPDATE images SET object_key = \(newKey), size_bytes = \(sizeBytes), content_hash = \(contentHash),
                master_pending = false, updated_at = now()
            WHERE id = \(id) AND object_key = \(oldKey) AND master_pending
            RETURNING \(unescaped: Self.columns)
            """
        )
        return updated != nil
    }

    /// The original needs no new master (it is one already, or it cannot have one).
    public func masterChecked(_ id: UUID) async throws(StorageError) {
        try await client.execute("UPDATE images SET master_pending = false WHERE id = \(id)", logger: logger)
    }
}
