import Crypto
import Foundation

/// The gallery's files, as SwiftPM embedded them (`.embedInCode` in Package.swift), by the name the page
/// asks for. Only these names are served: `{file}` never reaches a file system.
enum GalleryFiles {
    struct File: Sendable {
        let text: String
        let contentType: String
        /// A strong validator of the bytes, for `If-None-Match`.
        let etag: String

        init(_ bytes: [UInt8], _ contentType: String) {
            text = String(decoding: bytes, as: UTF8.self)
            self.contentType = contentType
            etag = "\"" + SHA256.hash(data: bytes).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
        }
    }

    static let files: [String: File] = [
        "index.html": File(PackageResources.index_html, "text/html; charset=utf-8"),
        "app.js": File(PackageResources.app_js, "text/javascript; charset=utf-8"),
        "api.js": File(PackageResources.api_js, "text/javascript; charset=utf-8"),
        "transformations.js": File(PackageResources.transformations_js, "text/javascript; charset=utf-8"),
        "style.css": File(PackageResources.style_css, "text/css; charset=utf-8"),
    ]

    static func file(named name: String) -> File? { files[name] }
}
