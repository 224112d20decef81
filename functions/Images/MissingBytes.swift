import Foundation
import Logging
import Storage

/// A ready image whose bytes the object store does not have (deleted behind the service's back, a bucket
/// restored from an older backup). Never a 500:
/// - a variant is made again from its original, within the request, by the worker's own `VariantMaker`; its
///   outbox row is written first, so if that cannot finish now (the store is down) the worker does it later
///   and the answer is a 503 `variant_missing` with `Retry-After`;
/// - an original cannot be made again: it is marked (`bytes_missing` in listings and metadata) and the answer
///   is a 410 `original_missing` until its bytes are restored (the sweeper clears the mark when it sees them).
/// A variant of a missing original is failed by the maker with `original_missing`, the same code.
struct MissingBytes: Sendable {
    let service: ImageService

    /// The image made again (ready, to serve), or the error to answer with.
    func recover(_ image: ImageRecord, logger: Logger) async throws -> ImageRecord {
        var logger = logger
        logger[metadataKey: "image.id"] = .string(image.id.uuidString.lowercased())
        guard image.sourceID != nil else {
            logger.error("an original's bytes are missing from the object store", metadata: ["object.key": "\(image.objectKey ?? "")"])
            try await service.images.markBytesMissing(image.id)
            throw Self.originalMissing
        }
        logger.warning("a variant's bytes are missing from the object store; making it again")
        guard try await service.images.requeueLostVariant(image.id) != nil else {
            // Its original is marked missing too: nothing to make it from.
            try await service.images.markBytesMissing(image.id)
            throw Self.originalMissing
        }
        let maker = VariantMaker(service: service)
        do {
            switch try await maker.make(image.id, owner: image.ownerID, logger: logger) {
            case .ready(let made): return made
            case .failed(let failure) where failure == .originalMissing: throw Self.originalMissing
            case .failed, .skipped: break
            }
        } catch let error as APIError {
            throw error
        } catch {
            // Queued with its outbox row: the sweeper hands it to the worker.
            throw APIError(.variantMissing, Self.variantMessage, underlying: error, headers: ["retry-after": "2"])
        }
        // Failed for another reason, or deleted meanwhile: its row says which.
        guard let now = try await service.images.find(image.id, owner: image.ownerID) else {
            throw APIError(.notFound, "no such image")
        }
        return now
    }

    static let originalMissing = APIError(
        .originalMissing,
        "the stored bytes of this image are missing from the object store; restore them from a backup or upload the image again"
    )
    static let variantMessage = "this variant's stored bytes are missing and it is being made again from its original; retry shortly"
}
