import Foundation
import Imaging
import Storage

/// The API's `Image` object.
struct ImageJSON: Encodable {
    struct ErrorJSON: Encodable {
        var code: String
        var message: String
    }

    var id: String
    var filename: String
    var format: String
    var content_type: String
    var width: Int?
    var height: Int?
    var size_bytes: Int?
    var status: String
    var source_id: String?
    var transformations: RawJSON?
    var error: ErrorJSON?
    var url: String
    /// The object store has no bytes for this image (and they cannot be made again): its GET is a 410.
    var bytes_missing: Bool
    var created_at: String
    var updated_at: String
    /// Signed URLs of the image's display renditions (`DisplayRendition`), in the answers that carry them.
    var display_urls: [String: String]?

    init(_ r: ImageRecord) {
        id = r.id.uuidString.lowercased()
        // Capped here too, so a name stored before names were capped by scalars cannot swell a listing past
        // the response limit.
        filename = ImageService.capped(r.filename)
        format = r.format
        content_type = r.contentType
        width = r.width
        height = r.height
        size_bytes = r.sizeBytes
        status = r.status.rawValue
        source_id = r.sourceID?.uuidString.lowercased()
        transformations = r.transformations.map(RawJSON.init)
        error = r.errorCode.map { ErrorJSON(code: $0, message: r.errorMessage ?? "") }
        url = "/images/\(id)"
        bytes_missing = r.bytesMissingSince != nil
        created_at = r.createdAt.ISO8601Format()
        updated_at = r.updatedAt.ISO8601Format()
    }

    // Explicit nulls: clients of the contract see every field.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(filename, forKey: .filename)
        try c.encode(format, forKey: .format)
        try c.encode(content_type, forKey: .content_type)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(size_bytes, forKey: .size_bytes)
        try c.encode(status, forKey: .status)
        try c.encode(source_id, forKey: .source_id)
        try c.encode(transformations, forKey: .transformations)
        try c.encode(error, forKey: .error)
        try c.encode(url, forKey: .url)
        try c.encode(bytes_missing, forKey: .bytes_missing)
        try c.encode(created_at, forKey: .created_at)
        try c.encode(updated_at, forKey: .updated_at)
        try c.encodeIfPresent(display_urls, forKey: .display_urls)
    }

    enum CodingKeys: String, CodingKey {
        case id, filename, format, content_type, width, height, size_bytes, status, source_id, transformations, error, url
        case bytes_missing, created_at, updated_at, display_urls
    }

    /// The image with its display renditions' signed URLs when it is a ready original (variants are shown as
    /// they are).
    init(_ r: ImageRecord, displayURLsSignedBy signer: URLSigner, now: Date = Date()) {
        self.init(r)
        if r.sourceID == nil, r.status == .ready { display_urls = DisplayRendition.urls(of: r.id, signer: signer, now: now) }
    }
}

/// JSON text already canonical (a spec), embedded as a value.
struct RawJSON: Encodable {
    var text: String
    func encode(to encoder: any Encoder) throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        try value.encode(to: encoder)
    }
}
