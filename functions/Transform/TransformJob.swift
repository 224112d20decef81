import Foundation

/// The message of a transform job: which variant to make, for whom. Everything else (source, spec) is read
/// from the variant's row, so a redelivered or late job always works from the current state.
struct TransformJob: Codable, Sendable {
    var variant_id: UUID
    var owner_id: UUID
}
