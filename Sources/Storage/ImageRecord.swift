import Foundation

/// An image as stored: an original (no source) or a variant made from a source by a transformation spec.
public struct ImageRecord: Sendable, Equatable {
    public enum Status: String, Sendable { case queued, processing, ready, failed }

    public var id: UUID
    public var ownerID: UUID
    public var sourceID: UUID?
    public var specHash: String?
    /// The normalized transformations as canonical JSON (variants only).
    public var transformations: String?
    public var filename: String
    public var format: String
    public var contentType: String
    public var width: Int?
    public var height: Int?
    public var sizeBytes: Int?
    public var objectKey: String?
    public var contentHash: String?
    public var status: Status
    public var errorCode: String?
    public var errorMessage: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// When the store was first found without this row's bytes (and they could not be made again); nil while
    /// they are there.
    public var bytesMissingSince: Date?

    public init(
        id: UUID, ownerID: UUID, sourceID: UUID? = nil, specHash: String? = nil, transformations: String? = nil,
        filename: String, format: String, contentType: String, width: Int?, height: Int?, sizeBytes: Int?,
        objectKey: String?, contentHash: String?, status: Status, errorCode: String? = nil, errorMessage: String? = nil,
        createdAt: Date = Date(), updatedAt: Date = Date(), bytesMissingSince: Date? = nil
    ) {
        self.id = id
        self.ownerID = ownerID
        self.sourceID = sourceID
        self.specHash = specHash
        self.transformations = transformations
        self.filename = filename
        self.format = format
        self.contentType = contentType
        self.width = width
        self.height = height
        self.sizeBytes = sizeBytes
        self.objectKey = objectKey
        self.contentHash = contentHash
        self.status = status
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.bytesMissingSince = bytesMissingSince
    }
}
