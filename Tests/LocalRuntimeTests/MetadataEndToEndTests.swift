import Foundation
@testable import Imaging
import NIOHTTP1
import Testing
@testable import TestSupport

/// `GET /images/{id}/metadata` through local-runtime: the properties of a photo computed at upload (the
/// orientation it was turned by, alpha, colour space, dominant colour, BlurHash), the same read from the
/// stored bytes in process, and variants' properties computed on their first read.
@Suite struct MetadataEndToEndTests {
    typealias I = ImagesEndToEndTests
    typealias T = TestImages

    func withService(_ body: @Sendable @escaping (RuntimeHarness) async throws -> Void) async throws {
        try await TransformEndToEndTests().withService(body)
    }

    /// A three-page TIFF is stored as its first page, and its metadata says so: one frame, as the stored
    /// bytes have (it said three, the upload's). A cut animated GIF is refused like any cut file.
    @Test func metadataDescribesTheStoredBytesAndCutAnimationsAreRefused() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let tiff = try T.Animation.animation(.tiff)
            #expect(try ImageSource(bytes: tiff).frames == 3)
            let id = try #require(try await alice.upload(Data(tiff), filename: "pages.tiff", type: "image/tiff").json()["id"] as? String)
            let metadata = try await h.request(.GET, "/images/\(id)/metadata", headers: alice.auth).json()
            #expect(metadata["frame_count"] as? Int == 1)
            let stored = try await h.request(.GET, "/images/\(id)", headers: alice.auth)
            #expect(try ImageSource(bytes: [UInt8](stored.body)).frames == 1)

            let gif = try T.Animation.animation(.gif)
            let cut = try await alice.upload(Data(gif.prefix(gif.count * 9 / 10)), filename: "cut.gif", type: "image/gif")
            #expect(cut.status == 422)
            #expect(try cut.json()["code"] as? String == "corrupt_image")
            #expect(try await h.request(.GET, "/images", headers: alice.auth).json()["total"] as? Int == 1)
        }
    }

    @Test func anUploadsPropertiesAreReadFromWhatWasStored() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            // A red and blue photo taken on its side (EXIF orientation 6), with GPS, which the upload strips.
            var pixels = [UInt8]()
            for y in 0..<40 { for x in 0..<60 { pixels += (x < 40 || y < 10) ? [200, 30, 40] : [20, 40, 210] } }
            let jpeg = try T.jpegWithMetadata(pixels, width: 60, height: 40, orientation: 6, gps: true)
            let id = try #require(try await alice.upload(Data(jpeg), filename: "side.jpg").json()["id"] as? String)
            let metadata = try await h.request(.GET, "/images/\(id)/metadata", headers: alice.auth).json()
            #expect(metadata["width"] as? Int == 40 && metadata["height"] as? Int == 60)  // turned upright
            #expect(metadata["orientation_applied"] as? Int == 6)
            #expect(metadata["has_alpha"] as? Bool == false)
            #expect(metadata["color_space"] as? String == "srgb")
            #expect(metadata["frame_count"] as? Int == 1)
            let dominant = try #require(metadata["dominant_color"] as? String)
            #expect(dominant.count == 7 && dominant.hasPrefix("#"))
            let rgb = (1...5).map { i in Int(dominant.dropFirst(2 * i - 1).prefix(2), radix: 16) ?? -1 }.prefix(3)
            #expect(rgb[0] > 150 && rgb[2] < 100, "mostly red: \(dominant)")
            // The BlurHash is that of the stored bytes, computed the same way in process.
            let stored = try await h.request(.GET, "/images/\(id)", headers: alice.auth)
            let expected = try ImageProperties.analyze([UInt8](stored.body))
            #expect(metadata["blurhash"] as? String == expected.blurhash)
            #expect((metadata["blurhash"] as? String)?.count == 28)
            // Nothing stripped comes back.
            #expect(!String(decoding: try JSONSerialization.data(withJSONObject: metadata), as: UTF8.self).lowercased().contains("gps"))

            // Alpha is reported (the PNG has real transparency).
            let png = try #require(try await alice.upload(try I.photo("Gulp.png"), filename: "Gulp.png", type: "image/png").json()["id"] as? String)
            let pngMetadata = try await h.request(.GET, "/images/\(png)/metadata", headers: alice.auth).json()
            #expect(pngMetadata["has_alpha"] as? Bool == true)
            #expect(pngMetadata["orientation_applied"] as? Int == 1)
        }
    }

    @Test func aVariantGetsItsPropertiesOnItsFirstRead() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            let queued = try await h.request(
                .POST, "/images/\(id)/transform", body: Data(#"{"transformations":{"resize":{"width":200},"filters":{"grayscale":true}}}"#.utf8),
                headers: alice.auth + [("Content-Type", "application/json")]
            )
            let variant = try #require(try queued.json()["id"] as? String)
            // Not ready yet: the fields are there, null.
            let early = try await h.request(.GET, "/images/\(variant)/metadata", headers: alice.auth).json()
            if early["status"] as? String != "ready" {
                #expect(early.keys.contains("blurhash") && early["blurhash"] is NSNull)
            }
            #expect(await h.eventually(timeout: .seconds(20)) {
                (try? await h.request(.GET, "/images/\(variant)/metadata", headers: alice.auth).json()["status"] as? String) == "ready"
            })
            let first = try await h.request(.GET, "/images/\(variant)/metadata", headers: alice.auth).json()
            #expect(first["color_space"] as? String == "grey")
            #expect(first["orientation_applied"] is NSNull)  // not known of a variant
            #expect((first["blurhash"] as? String)?.count == 28)
            let again = try await h.request(.GET, "/images/\(variant)/metadata", headers: alice.auth).json()
            #expect(again["blurhash"] as? String == first["blurhash"] as? String)
        }
    }
}
