import Foundation

/// Where image bytes live in the store: keys made from ids and the spec hash, never from filenames. A
/// variant's key depends only on its source and spec, so a redelivered job writes the same object.
enum ObjectKeys {
    static let originalsPrefix = "originals/"
    static let variantsPrefix = "variants/"
    static let uploadsPrefix = "uploads/"

    static func original(owner: UUID, image: UUID) -> String {
        "originals/\(owner.uuidString.lowercased())/\(image.uuidString.lowercased())"
    }

    /// Where the sweeper puts the fast master of an original stored before fast masters: a key of its own,
    /// so the row moves to it in one statement and nothing ever reads half of a replaced object.
    static func master(owner: UUID, image: UUID) -> String {
        original(owner: owner, image: image) + ".master"
    }

    /// Where a presigned upload's bytes wait for completion.
    static func upload(owner: UUID, upload: UUID) -> String {
        "uploads/\(owner.uuidString.lowercased())/\(upload.uuidString.lowercased())"
    }

    static func variant(owner: UUID, source: UUID, specHash: String) -> String {
        "variants/\(owner.uuidString.lowercased())/\(source.uuidString.lowercased())/\(specHash)"
    }
}
