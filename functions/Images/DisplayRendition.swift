import Foundation
import Imaging

/// The sizes the service itself shows an image at: the gallery's tiles and its image page. They are made on
/// first view, through signed URLs that the list and metadata answers carry (`display_urls`), so an `<img>`
/// needs no header and the cache tier and browsers can keep them. They are the service's own: made without a
/// unit of the transforms rate limit, left out of the quota, the usage, the variants list and webhook events,
/// and kept apart from the user's own variant of the same options (their spec hash has a prefix).
enum DisplayRendition: String, CaseIterable, Sendable {
    /// A square tile, cropped to fill it (400 px, so a 200 px tile is sharp on a 2x screen).
    case thumbnail
    /// The image page's view, fitted inside 1024 px.
    case large

    var options: String {
        switch self {
        case .thumbnail: "w_400,h_400,fit_cover"
        case .large: "w_1024,h_1024,fit_inside"
        }
    }

    static let hashPrefix = "display-"

    /// The identity of the rendition of `spec` (apart from the user's own variant of it).
    static func specHash(_ spec: TransformationSpec) -> String { hashPrefix + spec.hash }

    /// Whether a variant row with this spec hash is a display rendition.
    static func isRendition(specHash: String?) -> Bool { specHash?.hasPrefix(hashPrefix) == true }

    /// When the URLs signed at `now` expire: the second next UTC midnight, so they stay the same for a whole day
    /// (a browser's and the cache tier's copies stay good) and live between one and two days.
    static func expiry(now: Date) -> Int {
        let day = 86_400
        let seconds = Int(now.timeIntervalSince1970)
        return (seconds / day + 2) * day
    }

    /// The signed URL of each rendition of image `id`, by name.
    static func urls(of id: UUID, signer: URLSigner, now: Date = Date()) -> [String: String] {
        let expires = expiry(now: now)
        var urls: [String: String] = [:]
        for rendition in allCases {
            let path = URLSigner.path(image: id, options: rendition.options)
            urls[rendition.rawValue] = path + "?" + signer.query(path: path, expires: expires, display: true)
        }
        return urls
    }
}
