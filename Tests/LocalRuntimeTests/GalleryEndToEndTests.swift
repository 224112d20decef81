import ChildProcess
import Foundation
import Testing

/// The gallery (`GET /`): its files as served through local-runtime, and the whole app in a real headless
/// Chromium driven by Selenium (`gallery_check.py`). Screenshots of every step are kept in
/// `.build/test-artifacts/gallery` (or `$IF_TEST_ARTIFACTS/gallery`).
@Suite struct GalleryEndToEndTests {
    typealias I = ImagesEndToEndTests

    @Test func filesAreServedWithTheirTypesValidatorsAndPolicy() async throws {
        try await TransformEndToEndTests().withService { h in
            let page = try await h.request(.GET, "/")
            #expect(page.status == 200)
            #expect(page.header("content-type") == "text/html; charset=utf-8")
            #expect(page.text.contains(#"<script type="module" src="/gallery/app.js">"#))
            let policy = try #require(page.header("content-security-policy"))
            #expect(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"))
            #expect(page.header("x-content-type-options") == "nosniff")

            for (file, type) in [("app.js", "text/javascript"), ("api.js", "text/javascript"), ("transformations.js", "text/javascript"), ("style.css", "text/css")] {
                let reply = try await h.request(.GET, "/gallery/\(file)")
                #expect(reply.status == 200, "\(file)")
                #expect(reply.header("content-type")?.hasPrefix(type) == true, "\(file)")
                let etag = try #require(reply.header("etag"), "\(file)")
                let again = try await h.request(.GET, "/gallery/\(file)", headers: [("If-None-Match", etag)])
                #expect(again.status == 304, "\(file)")
                #expect(again.body.isEmpty)
            }
            // Only the gallery's own files: no other name, and nothing reaches a file system.
            for path in ["/gallery/nope.js", "/gallery/..%2FPackage.swift", "/gallery/index.html%00.js"] {
                let missing = try await h.request(.GET, path)
                #expect(missing.status == 404, "\(path)")
                #expect(try missing.json()["code"] as? String == "not_found", "\(path)")
            }
        }
    }

    @Test func aUserSignsUpUploadsMakesASepiaVariantAndDeletesInChromium() async throws {
        // Previews get one every 2 s, so the page's live preview meets 429s and must try again by itself.
        try await RuntimeHarness.withImageFunctions(["RATE_LIMIT_PREVIEWS": "30/min burst 1"]) { h in
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let artifacts = ProcessInfo.processInfo.environment["IF_TEST_ARTIFACTS"].map { URL(fileURLWithPath: $0) }
                ?? root.appendingPathComponent(".build/test-artifacts")
            let shots = artifacts.appendingPathComponent("gallery")
            try? FileManager.default.removeItem(at: shots)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("gallery_check.py")
            let photo = I.testdata.appendingPathComponent("Dune.jpg")
            let run = try await ChildProcess.run(
                "/usr/bin/env", ["python3", script.path, h.baseURL, photo.path, shots.path], output: .captureMerged
            )
            #expect(run.status == 0, "\(run.text)")
            let line = try #require(run.text.split(separator: "\n").last(where: { $0.hasPrefix("{") }), "\(run.text)")
            let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])

            // Sepia in the page's own decoding of the preview: red over green over blue.
            let mean = try #require(result["mean_rgb"] as? [Double])
            #expect(mean.count == 3 && mean[0] > mean[1] && mean[1] > mean[2], "\(mean)")
            #expect(result["variant_width"] as? Int == 400, "the downloaded variant")
            #expect((result["screenshots"] as? [String])?.count ?? 0 >= 7)
            for path in result["screenshots"] as? [String] ?? [] {
                #expect(FileManager.default.fileExists(atPath: path), "\(path)")
            }

            // The large file went up by the presigned PUT and came back whole by the store's redirect.
            let large = try #require(result["large"] as? [String: Any])
            #expect((large["uploaded_bytes"] as? Int ?? 0) > 4_500_000)
            #expect((large["downloaded_bytes"] as? Int ?? 0) > 4_706_304)
            #expect(large["size"] as? [Int] == [1400, 1200])

            // What the browser did, as the API saw it: the photo and its variants are gone; the 12 copies and
            // the large image stay.
            let auth = [("Authorization", "Bearer \(try #require(result["token"] as? String))")]
            let variantID = try #require(result["variant_id"] as? String)
            #expect(try await h.request(.GET, "/images/\(variantID)", headers: auth).status == 404)
            #expect(try await h.request(.GET, "/images", headers: auth).json()["total"] as? Int == 13)

            // The previews and the 13 images' tiles made no variant of the user's: the two made by Make variant
            // (sepia at 1440 px, quality 45 at 390 px) were the only ones.
            let usage = try await h.request(.GET, "/usage", headers: auth).json()
            #expect((usage["transforms"] as? [String: Any])?["count"] as? Int == 2, "the sepia variant and the phone's: \(usage)")
            #expect((result["retries"] as? Int ?? 0) >= 1, "the live preview met a 429 and tried again")
            #expect(((result["layout"] as? [String: Any])?["retries_390"] as? Int ?? 0) >= 1, "and again at 390 px")

            // The account page showed the usage, and the key it made and revoked is refused.
            let usageText = result["usage_text"] as? String ?? ""
            #expect(usageText.contains("Originals") && usageText.contains("Variants made this month\n1"), "\(usageText)")
            let revoked = try #require(result["revoked_key"] as? String)
            #expect(revoked.hasPrefix("ifk_"))
            #expect(try await h.request(.GET, "/images", headers: [("Authorization", "Bearer \(revoked)")]).status == 401)

            // Layout: 4, 3 and 2 columns (12 a page, no ragged row), nothing scrolls sideways, and the preview is
            // beside the controls on a wide screen and in view while a field changes on narrow ones.
            let layout = try #require(result["layout"] as? [String: Any])
            #expect(layout["columns_1440"] as? Int == 4 && layout["columns_768"] as? Int == 3 && layout["columns_390"] as? Int == 2, "\(layout)")
            for key in ["overflow_library_768", "overflow_library_390", "overflow_image_768", "overflow_image_390", "overflow_account_390"] {
                #expect((layout[key] as? Int ?? 1) <= 0, "\(key): \(layout)")
            }
            #expect(layout["preview_beside_1440"] as? Bool == true && layout["preview_in_view_768"] as? Bool == true
                && layout["preview_in_view_390"] as? Bool == true, "\(layout)")

            // axe-core finds nothing serious or critical on the library and the image page, wide and narrow.
            let audits = try #require(result["axe"] as? [String: [String: Any]])
            #expect(Set(audits.keys) == ["library-1440", "image-page-1440", "account-1440", "library-390", "image-page-390", "account-390"])
            for (page, audit) in audits {
                #expect((audit["violations"] as? [Any])?.isEmpty == true, "\(page): \(audit["violations"] ?? "")")
                #expect((audit["passes"] as? Int ?? 0) > 10, "\(page): axe ran")
            }
        }
    }
}
