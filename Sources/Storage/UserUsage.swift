import Foundation
import PostgresNIO

/// What one user holds and has made: originals and variants (rows, and bytes of those stored), and the
/// transforms counted this calendar month (UTC), which began at `periodStart`.
public struct UserUsage: Sendable, Equatable {
    public var originals: Int
    public var originalBytes: Int
    public var variants: Int
    public var variantBytes: Int
    public var transformsThisPeriod: Int
    public var periodStart: Date

    public var storedBytes: Int { originalBytes + variantBytes }
}

extension ImageRepository {
    /// The owner's usage in one statement (the counters of migration 13, the rows of the images table).
    public func usage(owner: UUID) async throws(StorageError) -> UserUsage {
        do {
            let rows = try await client.query(
                """
                SELECT count(*) FILTER (WHERE source_id IS NULL)::int,
                       coalesce(sum(size_bytes) FILTER (WHERE source_id IS NULL), 0)::bigint,
                       count(*) FILTER (WHERE source_id IS NOT NULL)::int,
                       coalesce(sum(size_bytes) FILTER (WHERE source_id IS NOT NULL), 0)::bigint,
                       coalesce((SELECT transforms FROM usage_counters
                                 WHERE owner_id = \(owner) AND period = date_trunc('month', now() AT TIME ZONE 'UTC')::date), 0)::bigint,
                       date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                FROM images WHERE owner_id = \(owner)
                """,
                logger: logger
            )
            for try await (originals, originalBytes, variants, variantBytes, transforms, start) in rows.decode((Int, Int, Int, Int, Int, Date).self) {
                return UserUsage(
                    originals: originals, originalBytes: originalBytes, variants: variants, variantBytes: variantBytes,
                    transformsThisPeriod: transforms, periodStart: start
                )
            }
            throw StorageError(.unavailable, "the database returned no usage")
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.unavailable, "the database could not read the usage", underlying: error)
        }
    }
}
