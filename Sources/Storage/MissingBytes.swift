import Foundation
import PostgresNIO

/// Rows whose bytes the object store does not have (migration 10): a ready variant is queued to be made again
/// from its source; a row that cannot be made again (an original, or a variant of a source that is missing
/// too) is marked, so listings and metadata say so, until its bytes are back.
extension ImageRepository {
    /// A ready row found without its bytes, as the sweeper reports it.
    public struct RowWithoutBytes: Sendable, Equatable {
        public var id: UUID
        public var ownerID: UUID
        /// nil for an original.
        public var sourceID: UUID?
    }

    /// Marks the row as having no bytes in the store (the time of the first notice is kept).
    public func markBytesMissing(_ id: UUID) async throws(StorageError) {
        try await execute(
            "UPDATE images SET bytes_missing_since = coalesce(bytes_missing_since, now()) WHERE id = \(id) AND status = 'ready'"
        )
    }

    /// Puts a ready variant whose bytes are gone back on the queue, with its outbox row, in one statement, when
    /// its source still has bytes. Returns the row as queued, or nil when it is not a ready variant any more or
    /// its source is marked missing (then it cannot be made again).
    public func requeueLostVariant(_ id: UUID) async throws(StorageError) -> ImageRecord? {
        try await first(
            """
            WITH requeued AS (
                UPDATE images v SET status = 'queued', bytes_missing_since = NULL, updated_at = now()
                FROM images s
                WHERE v.id = \(id) AND v.status = 'ready' AND s.id = v.source_id AND s.bytes_missing_since IS NULL
                RETURNING v.*
            ), job AS (
                INSERT INTO transform_outbox (variant_id, owner_id) SELECT id, owner_id FROM requeued
                ON CONFLICT (variant_id) DO NOTHING
            )
            SELECT \(unescaped: Self.columns) FROM requeued
            """
        )
    }

    /// Ready rows under `prefix` whose object key is not among `present` (a complete listing of the prefix),
    /// last changed before `grace` seconds ago (a row just marked ready has had its bytes PUT already, but a
    /// listing taken before the PUT would miss them), and not yet marked missing.
    public func readyRowsWithoutBytes(prefix: String, present: [String], grace: Double, limit: Int)
        async throws(StorageError) -> [RowWithoutBytes]
    {
        let pattern = Self.escapeLike(prefix) + "%"
        do {
            let rows = try await client.query(
                """
                SELECT id, owner_id, source_id FROM images
                WHERE status = 'ready' AND bytes_missing_since IS NULL AND object_key LIKE \(pattern) ESCAPE '\\'
                  AND updated_at < now() - \(grace) * interval '1 second' AND object_key <> ALL (\(present)::text[])
                ORDER BY updated_at LIMIT \(limit)
                """,
                logger: logger
            )
            var found: [RowWithoutBytes] = []
            for try await (id, owner, source) in rows.decode((UUID, UUID, UUID?).self) {
                found.append(RowWithoutBytes(id: id, ownerID: owner, sourceID: source))
            }
            return found
        } catch {
            throw StorageError(.unavailable, "the database could not be read", underlying: error)
        }
    }

    /// Clears the mark of rows whose bytes are in the store again (restored from a backup); returns how many.
    public func clearBytesMissing(present: [String]) async throws(StorageError) -> Int {
        guard !present.isEmpty else { return 0 }
        do {
            let rows = try await client.query(
                """
                WITH cleared AS (
                    UPDATE images SET bytes_missing_since = NULL
                    WHERE bytes_missing_since IS NOT NULL AND object_key = ANY (\(present)::text[]) RETURNING 1
                )
                SELECT count(*)::int FROM cleared
                """,
                logger: logger
            )
            for try await n in rows.decode(Int.self) { return n }
            return 0
        } catch {
            throw StorageError(.unavailable, "the database could not be written", underlying: error)
        }
    }
}
