import Foundation
import Logging
import PostgresNIO

/// All SQL about images. Every read and write is scoped to the owner: another user's id is simply not found.
public struct ImageRepository: Sendable {
    let client: DatabasePool
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = DatabasePool(client)
        self.logger = logger
    }

    static let columns = """
        id, owner_id, source_id, spec_hash, transformations::text, filename, format, content_type, width, height,
        size_bytes, object_key, content_hash, status, error_code, error_message, created_at, updated_at,
        bytes_missing_since
        """

    /// Stores a new original or a finished variant row. A variant that already exists for the same source and
    /// spec is not stored again; the existing row is returned instead.
    public func insert(_ image: ImageRecord) async throws(StorageError) -> ImageRecord {
        let query: PostgresQuery = """
            INSERT INTO images (id, owner_id, source_id, spec_hash, transformations, filename, format, content_type,
                width, height, size_bytes, object_key, content_hash, status, error_code, error_message)
            VALUES (\(image.id), \(image.ownerID), \(image.sourceID), \(image.specHash), \(image.transformations)::jsonb,
                \(image.filename), \(image.format), \(image.contentType), \(image.width), \(image.height),
                \(image.sizeBytes), \(image.objectKey), \(image.contentHash), \(image.status.rawValue),
                \(image.errorCode), \(image.errorMessage))
            ON CONFLICT (source_id, spec_hash) WHERE source_id IS NOT NULL DO NOTHING
            RETURNING \(unescaped: Self.columns)
            """
        if let inserted = try await first(query) { return inserted }
        guard let source = image.sourceID, let hash = image.specHash,
            let existing = try await variant(of: source, specHash: hash, owner: image.ownerID)
        else {
            throw StorageError(.unavailable, "the image could not be stored")
        }
        return existing
    }

    public func find(_ id: UUID, owner: UUID) async throws(StorageError) -> ImageRecord? {
        try await first("SELECT \(unescaped: Self.columns) FROM images WHERE id = \(id) AND owner_id = \(owner)")
    }

    public func variant(of source: UUID, specHash: String, owner: UUID) async throws(StorageError) -> ImageRecord? {
        try await first(
            "SELECT \(unescaped: Self.columns) FROM images WHERE source_id = \(source) AND spec_hash = \(specHash) AND owner_id = \(owner)"
        )
    }

    /// The variant of a source by spec hash, whoever owns it: for a signed URL, whose signature names the
    /// source and so stands in for its owner's token.
    public func variant(of source: UUID, specHash: String) async throws(StorageError) -> ImageRecord? {
        try await first("SELECT \(unescaped: Self.columns) FROM images WHERE source_id = \(source) AND spec_hash = \(specHash)")
    }

    /// A page of a user's originals (or of one image's variants), newest first with the id as tie-break, so
    /// pages never overlap or skip; `search` is a case-insensitive substring of the filename, `%` and `_`
    /// taken literally.
    public func list(owner: UUID, variantsOf source: UUID? = nil, search: String?, limit: Int, offset: Int)
        async throws(StorageError) -> (images: [ImageRecord], total: Int)
    {
        let pattern = search.map { "%" + Self.escapeLike($0.lowercased()) + "%" }
        // Two spelled-out queries rather than one with a nullable source: the originals' query must match the
        // partial index on (owner_id, created_at, id) WHERE source_id IS NULL.
        let page: PostgresQuery, count: PostgresQuery
        if let source {
            page = """
                SELECT \(unescaped: Self.columns) FROM images
                WHERE owner_id = \(owner) AND source_id = \(source) AND NOT display
                  AND (\(pattern)::text IS NULL OR lower(filename) LIKE \(pattern) ESCAPE '\\')
                ORDER BY created_at DESC, id DESC LIMIT \(limit) OFFSET \(offset)
                """
            count = """
                SELECT count(*)::int FROM images WHERE owner_id = \(owner) AND source_id = \(source) AND NOT display
                  AND (\(pattern)::text IS NULL OR lower(filename) LIKE \(pattern) ESCAPE '\\')
                """
        } else {
            page = """
                SELECT \(unescaped: Self.columns) FROM images
                WHERE owner_id = \(owner) AND source_id IS NULL
                  AND (\(pattern)::text IS NULL OR lower(filename) LIKE \(pattern) ESCAPE '\\')
                ORDER BY created_at DESC, id DESC LIMIT \(limit) OFFSET \(offset)
                """
            count = """
                SELECT count(*)::int FROM images WHERE owner_id = \(owner) AND source_id IS NULL
                  AND (\(pattern)::text IS NULL OR lower(filename) LIKE \(pattern) ESCAPE '\\')
                """
        }
        do {
            var images: [ImageRecord] = []
            for try await row in try await client.query(page, logger: logger) { images.append(try Self.decode(row)) }
            var total = 0
            for try await n in try await client.query(count, logger: logger).decode(Int.self) { total = n }
            return (images, total)
        } catch {
            throw StorageError(.unavailable, "the database could not be read", underlying: error)
        }
    }

    /// Deletes an image and its variants (rows cascade); returns the object keys to remove from the store.
    public func delete(_ id: UUID, owner: UUID) async throws(StorageError) -> [String]? {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                var keys: [String] = []
                var found = false
                let rows = try await connection.query(
                    """
                    WITH RECURSIVE doomed AS (
                        SELECT id, object_key FROM images WHERE id = \(id) AND owner_id = \(owner)
                        UNION ALL
                        SELECT i.id, i.object_key FROM images i JOIN doomed d ON i.source_id = d.id
                    )
                    SELECT id, object_key FROM doomed
                    """,
                    logger: logger
                )
                for try await (_, key) in rows.decode((UUID, String?).self) {
                    found = true
                    if let key { keys.append(key) }
                }
                guard found else { return nil }
                try await connection.query("DELETE FROM images WHERE id = \(id) AND owner_id = \(owner)", logger: logger)
                return keys
            }
        } catch {
            throw StorageError(.unavailable, "the database could not delete the image", underlying: error)
        }
    }

    /// What making a variant needs, read while marking it as being made.
    public struct VariantClaim: Sendable, Equatable {
        public var variantID: UUID
        public var sourceID: UUID
        public var specHash: String
        public var transformations: String
        public var sourceKey: String
        public var sourceContentHash: String?
    }

    /// Marks the variant as being made and returns what making it needs, in one statement: nil when it is
    /// not queued or processing any more (done, failed, gone) or its source has no bytes.
    public func claimForMaking(_ id: UUID, owner: UUID) async throws(StorageError) -> VariantClaim? {
        do {
            let rows = try await client.query(
                """
                UPDATE images v SET status = 'processing', updated_at = now()
                FROM images s
                WHERE v.id = \(id) AND v.owner_id = \(owner) AND v.status IN ('queued', 'processing')
                  AND s.id = v.source_id AND s.owner_id = v.owner_id AND s.object_key IS NOT NULL
                  AND v.spec_hash IS NOT NULL AND v.transformations IS NOT NULL
                RETURNING v.id, v.source_id, v.spec_hash, v.transformations::text, s.object_key, s.content_hash
                """,
                logger: logger
            )
            for try await (variant, source, hash, transformations, key, contentHash) in rows.decode((UUID, UUID, String, String, String, String?).self) {
                return VariantClaim(
                    variantID: variant, sourceID: source, specHash: hash, transformations: transformations, sourceKey: key,
                    sourceContentHash: contentHash
                )
            }
            return nil
        } catch {
            throw StorageError(.unavailable, "the database could not be written", underlying: error)
        }
    }

    /// A variant marked ready, and whether its owner has any webhook (else no delivery can have been recorded,
    /// and nobody need look for one).
    public struct ReadyMark: Sendable {
        public var image: ImageRecord
        public var ownerHasWebhooks: Bool
    }

    /// Records a finished variant. Its outbox row, if one is left (a variant made within a request keeps it
    /// until now), goes in the same statement: the work is done.
    public func markReady(_ id: UUID, width: Int, height: Int, sizeBytes: Int, objectKey: String, contentHash: String)
        async throws(StorageError) -> ReadyMark?
    {
        do {
            let rows = try await client.query(
                """
                WITH done AS (DELETE FROM transform_outbox WHERE variant_id = \(id))
                UPDATE images SET status = 'ready', width = \(width), height = \(height), size_bytes = \(sizeBytes),
                    object_key = \(objectKey), content_hash = \(contentHash), error_code = NULL, error_message = NULL, updated_at = now()
                WHERE id = \(id)
                RETURNING \(unescaped: Self.columns), EXISTS (SELECT 1 FROM webhooks w WHERE w.owner_id = images.owner_id)
                """,
                logger: logger
            )
            for try await row in rows {
                return ReadyMark(image: try Self.decode(row), ownerHasWebhooks: try Array(row)[19].decode(Bool.self))
            }
            return nil
        } catch {
            throw StorageError(.unavailable, "the database could not be written", underlying: error)
        }
    }

    /// Records a variant that cannot be made, with a stable code and a reason a client may read; its outbox
    /// row, if one is left, goes with it (a retry would fail the same way).
    public func markFailed(_ id: UUID, code: String, message: String) async throws(StorageError) -> ImageRecord? {
        try await first(
            """
            WITH done AS (DELETE FROM transform_outbox WHERE variant_id = \(id))
            UPDATE images SET status = 'failed', error_code = \(code), error_message = \(message), updated_at = now()
            WHERE id = \(id) AND status <> 'ready' RETURNING \(unescaped: Self.columns)
            """
        )
    }

    /// Removes a variant that was recorded but whose job could not be published, so nothing is left half-done.
    public func deleteQueued(_ id: UUID) async throws(StorageError) {
        _ = try await first("DELETE FROM images WHERE id = \(id) AND status = 'queued' RETURNING \(unescaped: Self.columns)")
    }

    /// Any image by id, whoever owns it: for a signed URL, whose signature names the image and so stands in
    /// for its owner's token.
    public func find(_ id: UUID) async throws(StorageError) -> ImageRecord? {
        try await first("SELECT \(unescaped: Self.columns) FROM images WHERE id = \(id)")
    }

    /// Of the given object keys, those no image row references (candidates for the orphan sweep).
    public func unreferencedKeys(_ keys: [String]) async throws(StorageError) -> [String] {
        guard !keys.isEmpty else { return [] }
        do {
            let rows = try await client.query(
                """
                SELECT k FROM unnest(\(keys)::text[]) AS k
                WHERE NOT EXISTS (SELECT 1 FROM images WHERE object_key = k)
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

    /// `%`, `_` and the escape character itself, made literal for LIKE.
    static func escapeLike(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    func first(_ query: PostgresQuery) async throws(StorageError) -> ImageRecord? {
        do {
            for try await row in try await client.query(query, logger: logger) { return try Self.decode(row) }
            return nil
        } catch {
            throw StorageError(.unavailable, "the database could not be read", underlying: error)
        }
    }

    static func decode(_ row: PostgresRow) throws -> ImageRecord {
        let (id, owner, source, hash, transformations, filename, format, contentType, width) =
            try row.decode((UUID, UUID, UUID?, String?, String?, String, String, String, Int?).self)
        let cells = Array(row)
        let height = try cells[9].decode(Int?.self)
        let size = try cells[10].decode(Int?.self)
        let key = try cells[11].decode(String?.self)
        let contentHash = try cells[12].decode(String?.self)
        let status = try cells[13].decode(String.self)
        let errorCode = try cells[14].decode(String?.self)
        let errorMessage = try cells[15].decode(String?.self)
        let created = try cells[16].decode(Date.self)
        let updated = try cells[17].decode(Date.self)
        let missing = try cells[18].decode(Date?.self)
        return ImageRecord(
            id: id, ownerID: owner, sourceID: source, specHash: hash, transformations: transformations, filename: filename,
            format: format, contentType: contentType, width: width, height: height, sizeBytes: size, objectKey: key,
            contentHash: contentHash, status: ImageRecord.Status(rawValue: status) ?? .failed, errorCode: errorCode,
            errorMessage: errorMessage, createdAt: created, updatedAt: updated, bytesMissingSince: missing
        )
    }
}
