import Foundation
import PostgresNIO

/// What the service holds and owes, for its metrics: bytes stored by kind, and the transformations still
/// queued (each is one job on the transform queue) with the age of the oldest.
public struct ImageStatistics: Sendable, Equatable {
    public var originalBytes: Int
    public var variantBytes: Int
    public var queuedTransforms: Int
    public var oldestQueuedSeconds: Double
}

extension ImageRepository {
    /// One pass over the images table (the sweeper runs it once a minute).
    public func statistics() async throws(StorageError) -> ImageStatistics {
        do {
            let rows = try await client.query(
                """
                SELECT coalesce(sum(size_bytes) FILTER (WHERE source_id IS NULL AND status = 'ready'), 0)::bigint,
                       coalesce(sum(size_bytes) FILTER (WHERE source_id IS NOT NULL AND status = 'ready'), 0)::bigint,
                       count(*) FILTER (WHERE status = 'queued')::int,
                       coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'queued')), 0)::float8
                FROM images
                """,
                logger: logger
            )
            for try await (originals, variants, queued, oldest) in rows.decode((Int, Int, Int, Double).self) {
                return ImageStatistics(originalBytes: originals, variantBytes: variants, queuedTransforms: queued, oldestQueuedSeconds: oldest)
            }
            return ImageStatistics(originalBytes: 0, variantBytes: 0, queuedTransforms: 0, oldestQueuedSeconds: 0)
        } catch {
            throw StorageError(.unavailable, "the database could not be read", underlying: error)
        }
    }
}
