import Foundation
import PostgresNIO

/// What one user holds and has made (display renditions, the service's own, left out): originals and variants
/// (rows, and bytes of those stored), and the transforms counted this calendar month (UTC), which began at
/// `periodStart`.
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
                       count(*) FILTER (WHERE source_id IS NOT NULL AND NOT display)::int,
                       coalesce(sum(size_bytes) FILTER (WHERE source_id IS NOT NULL AND NOT display), 0)::bigint,
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

extension ImageRepository {
    /// The bytes the owner has stored, leaving out `excluded` (a variant being made again counts once) and the
    /// display renditions (the service's own).
    public func storedBytes(owner: UUID, excluding excluded: UUID? = nil) async throws(StorageError) -> Int {
        do {
            let rows = try await client.query(
                """
                SELECT coalesce(sum(size_bytes), 0)::bigint FROM images
                WHERE owner_id = \(owner) AND id IS DISTINCT FROM \(excluded) AND NOT display
                """,
                logger: logger
            )
            for try await bytes in rows.decode(Int.self) { return bytes }
            return 0
        } catch {
            throw StorageError(.unavailable, "the database could not read the usage", underlying: error)
        }
    }

    /// Deletes a variant that failed because it would have passed the owner's quota, so asking for it again
    /// makes it again; false when it is not such a variant (any more).
    public func forgetQuotaRefusal(_ id: UUID) async throws(StorageError) -> Bool {
        do {
            let rows = try await client.query(
                "DELETE FROM images WHERE id = \(id) AND status = 'failed' AND error_code = 'quota_exceeded' RETURNING id", logger: logger
            )
            for try await _ in rows { return true }
            return false
        } catch {
            throw StorageError(.unavailable, "the database could not be written", underlying: error)
        }
    }
}
