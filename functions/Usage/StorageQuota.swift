import Foundation
import Storage

/// Each user's storage quota (`STORAGE_QUOTA_BYTES`, none by default): an upload or a new variant that would
/// take the bytes the user has stored past it is refused with 403 `quota_exceeded`, naming the quota and the
/// usage, before anything is stored. A delete frees its bytes at once (usage is read, never cached).
///
/// An upload's size is known before it is stored, so it is checked exactly. A new variant's is known only once
/// it is made: it is refused at the request when the stored bytes have already reached the quota, and checked
/// exactly once made, before its bytes are written; one that would pass is not stored, its row fails with
/// `quota_exceeded`, and asking for it again (after a delete) makes it again. Concurrent requests of one user
/// are checked one by one against what is stored, so together they may pass the quota by what they add at once.
struct StorageQuota: Sendable {
    let limit: Int?

    /// The refusal of `adding` bytes to `stored`, or nil when they fit.
    func refusal(stored: Int, adding: Int, what: String) -> APIError? {
        guard let limit, stored + adding > limit else { return nil }
        return APIError(
            .quotaExceeded,
            "\(what) would pass your storage quota of \(limit) bytes: \(stored) bytes are stored and it needs \(adding) more; delete images to free space"
        )
    }

    /// Refuses storing `adding` more bytes for `owner`.
    func admit(_ adding: Int, owner: UUID, images: ImageRepository, what: String) async throws {
        guard limit != nil else { return }
        if let refused = refusal(stored: try await images.storedBytes(owner: owner), adding: adding, what: what) { throw refused }
    }

    /// Whether `existing` was refused for the quota and is now forgotten (deleted), so it is made again as new.
    func forgets(_ existing: ImageRecord, images: ImageRepository) async throws -> Bool {
        guard existing.status == .failed, existing.errorCode == APIError.Code.quotaExceeded.rawValue else { return false }
        return try await images.forgetQuotaRefusal(existing.id)
    }

    /// Refuses a new variant once nothing more fits: its size is not known yet, but any variant adds bytes.
    func admitNewVariant(owner: UUID, images: ImageRepository) async throws {
        guard let limit else { return }
        let stored = try await images.storedBytes(owner: owner)
        guard stored >= limit else { return }
        throw APIError(
            .quotaExceeded,
            "a new variant would pass your storage quota of \(limit) bytes: \(stored) bytes are stored; delete images to free space"
        )
    }
}
