import Foundation
import PostgresNIO

/// A transform job recorded in the outbox and not yet confirmed by the broker.
public struct PendingJob: Sendable, Equatable {
    public var variantID: UUID
    public var ownerID: UUID
    public var attempts: Int
}

/// The transactional outbox of transform jobs (migration 4): the SQL that records a queued variant together
/// with its job, clears the job once the broker confirmed it, and hands stale jobs to the sweeper.
extension ImageRepository {
    /// Records a queued variant and its outbox row in one statement. When the same source already has the
    /// same spec, nothing is written and the existing variant comes back with `created == false`.
    public func insertQueuedVariant(_ image: ImageRecord) async throws(StorageError) -> (variant: ImageRecord, created: Bool) {
        let query: PostgresQuery = """
            WITH inserted AS (
                INSERT INTO images (id, owner_id, source_id, spec_hash, transformations, filename, format, content_type, status)
                VALUES (\(image.id), \(image.ownerID), \(image.sourceID), \(image.specHash), \(image.transformations)::jsonb,
                    \(image.filename), \(image.format), \(image.contentType), 'queued')
                ON CONFLICT (source_id, spec_hash) WHERE source_id IS NOT NULL DO NOTHING
                RETURNING *
            ), job AS (
                INSERT INTO transform_outbox (variant_id, owner_id) SELECT id, owner_id FROM inserted
            )
            SELECT \(unescaped: Self.columns) FROM inserted
            """
        if let inserted = try await first(query) { return (inserted, true) }
        guard let source = image.sourceID, let hash = image.specHash,
            let existing = try await variant(of: source, specHash: hash, owner: image.ownerID)
        else {
            throw StorageError(.unavailable, "the variant could not be recorded")
        }
        return (existing, false)
    }

    /// Records a variant that the caller makes at once, claimed in the same statement: inserted as `processing`
    /// with its outbox row (so if the caller dies, the sweeper hands the job to the worker, whose claim takes a
    /// processing variant too), answering what making it needs from the source row given. nil when the
    /// variant exists already (another request recorded it first).
    /// `display` records a display rendition (migration 14), the service's own.
    public func insertClaimedVariant(_ image: ImageRecord, sourceKey: String, sourceContentHash: String?, display: Bool = false)
        async throws(StorageError) -> VariantClaim?
    {
        guard let sourceID = image.sourceID, let specHash = image.specHash, let transformations = image.transformations else {
            throw StorageError(.unavailable, "the variant could not be recorded")
        }
        let query: PostgresQuery = """
            WITH inserted AS (
                INSERT INTO images (id, owner_id, source_id, spec_hash, transformations, filename, format, content_type, status, display)
                VALUES (\(image.id), \(image.ownerID), \(sourceID), \(specHash), \(transformations)::jsonb,
                    \(image.filename), \(image.format), \(image.contentType), 'processing', \(display))
                ON CONFLICT (source_id, spec_hash) WHERE source_id IS NOT NULL DO NOTHING
                RETURNING id, owner_id
            ), job AS (
                INSERT INTO transform_outbox (variant_id, owner_id) SELECT id, owner_id FROM inserted
            )
            SELECT id FROM inserted
            """
        do {
            for try await _ in try await client.query(query, logger: logger) {
                return VariantClaim(
                    variantID: image.id, sourceID: sourceID, specHash: specHash, transformations: transformations,
                    sourceKey: sourceKey, sourceContentHash: sourceContentHash
                )
            }
            return nil
        } catch {
            throw StorageError(.unavailable, "the variant could not be recorded", underlying: error)
        }
    }

    /// The broker confirmed the job: it needs no republishing.
    public func jobPublished(_ variantID: UUID) async throws(StorageError) {
        try await execute("DELETE FROM transform_outbox WHERE variant_id = \(variantID)")
    }

    /// Jobs recorded more than `age` seconds ago and still unconfirmed, oldest first. Each one handed out
    /// counts an attempt, and is not handed out again for another `age` seconds (its clock restarts), so two
    /// sweeps running at once do not publish the same job twice in a row.
    public func claimPendingJobs(olderThan age: Double, limit: Int) async throws(StorageError) -> [PendingJob] {
        do {
            let rows = try await client.query(
                """
                UPDATE transform_outbox SET attempts = attempts + 1, created_at = now()
                WHERE variant_id IN (
                    SELECT variant_id FROM transform_outbox
                    WHERE created_at < now() - \(age) * interval '1 second'
                    ORDER BY created_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
                )
                RETURNING variant_id, owner_id, attempts
                """,
                logger: logger
            )
            var jobs: [PendingJob] = []
            for try await (id, owner, attempts) in rows.decode((UUID, UUID, Int).self) {
                jobs.append(PendingJob(variantID: id, ownerID: owner, attempts: attempts))
            }
            return jobs
        } catch {
            throw StorageError(.unavailable, "the database could not read the outbox", underlying: error)
        }
    }

    func execute(_ query: PostgresQuery) async throws(StorageError) {
        try await client.execute(query, logger: logger)
    }
}
