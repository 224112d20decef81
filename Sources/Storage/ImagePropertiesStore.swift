import Foundation
import PostgresNIO

/// The stored properties of images (migration 8), as JSON text: the Imaging module defines their shape.
extension ImageRepository {
    /// The properties of an image of `owner`'s, if they were computed.
    public func properties(of id: UUID, owner: UUID) async throws(StorageError) -> String? {
        do {
            let rows = try await client.query(
                """
                SELECT p.properties::text FROM image_properties p JOIN images i ON i.id = p.image_id
                WHERE p.image_id = \(id) AND i.owner_id = \(owner)
                """,
                logger: logger
            )
            for try await text in rows.decode(String.self) { return text }
            return nil
        } catch {
            throw StorageError(.unavailable, "the database could not be read", underlying: error)
        }
    }

    /// Stores (or replaces) an image's properties; nothing when the image is gone.
    public func setProperties(of id: UUID, json: String) async throws(StorageError) {
        try await execute(
            """
            INSERT INTO image_properties (image_id, properties)
            SELECT id, \(json)::jsonb FROM images WHERE id = \(id)
            ON CONFLICT (image_id) DO UPDATE SET properties = EXCLUDED.properties
            """
        )
    }
}
