import Foundation
import Storage
import Testing

/// Rows whose bytes were deleted from the store behind the service's back (with a plain S3 client): a variant
/// is made again, an original is a 410 `original_missing` and says `bytes_missing`, never a 500; the sweeper
/// finds such rows by itself and clears the mark when the bytes are back. A bucket of its own, since the
/// sweeper's orphan pass deletes what its database does not know.
@Suite struct MissingBytesEndToEndTests {
    typealias I = ImagesEndToEndTests
    let t = TransformEndToEndTests()

    func withService(_ body: @Sendable @escaping (RuntimeHarness, S3Client) async throws -> Void) async throws {
        try await RuntimeHarness.withBucket("missing") { store in
            try await PresignedTransferEndToEndTests().withService(environment: ["S3_BUCKET": store.settings.bucket, "SWEEP_ORPHANS_AFTER_SECONDS": "0"]) { h, _ in
                try await body(h, store)
            }
        }
    }

    func upload(_ s: I.Session, _ name: String, as filename: String? = nil) async throws -> String {
        let reply = try await s.upload(try I.photo(name), filename: filename ?? name)
        #expect(reply.status == 201, "\(reply.text)")
        return try #require(try reply.json()["id"] as? String)
    }

    func sweep(_ h: RuntimeHarness) async throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: try await h.runtime.invoke("sweeper")) as? [String: Any])
    }

    @Test func aLostVariantIsMadeAgainAndALostOriginalIsGone() async throws {
        try await withService { h, store in
            let alice = try await I.signUp(h, "alice")
            let dune = try await upload(alice, "Dune.jpg")
            let variant = try await t.transform(alice, dune, #"{"resize":{"width":300}}"#, wait: 20).json()
            let variantID = try #require(variant["id"] as? String)
            #expect(variant["status"] as? String == "ready")
            // The ETag through a redirect: nothing of the variant is read (or cached) by the functions yet.
            let redirected = try await h.request(.GET, "/images/\(variantID)?redirect=1", headers: alice.auth)
            #expect(redirected.status == 302)
            let etag = try #require(redirected.header("etag"))

            let variantKeys = try await store.listObjects(prefix: "variants/\(alice.userID)/\(dune)/").objects.map(\.key)
            #expect(variantKeys.count == 1)
            for key in variantKeys { try await store.deleteObject(key: key) }
            // Made again within the GET: the same bytes (the same ETag), and they are in the store again.
            let again = try await h.request(.GET, "/images/\(variantID)", headers: alice.auth)
            #expect(again.status == 200, "\(again.text.prefix(300))")
            #expect(again.header("etag") == etag)
            #expect(try await store.objectSize(key: try #require(variantKeys.first)) == again.body.count)

            // An original deleted behind the service's back: 410 with a stable code, listed and described as
            // missing, and a transformation of it fails at once with the same code (no retries).
            let gulp = try await upload(alice, "Gulp.png")
            try await store.deleteObject(key: "originals/\(alice.userID)/\(gulp)")
            let gone = try await h.request(.GET, "/images/\(gulp)", headers: alice.auth)
            #expect(gone.status == 410)
            #expect(gone.header("content-type") == "application/problem+json")
            #expect(try gone.json()["code"] as? String == "original_missing")
            #expect(try await h.request(.GET, "/images/\(gulp)?redirect=1", headers: alice.auth).status == 410)
            #expect(try await h.request(.GET, "/images/\(gulp)/metadata", headers: alice.auth).json()["bytes_missing"] as? Bool == true)
            let listed = try await h.request(.GET, "/images", headers: alice.auth).json()["items"] as? [[String: Any]] ?? []
            #expect(listed.first { $0["id"] as? String == gulp }?["bytes_missing"] as? Bool == true)
            #expect(listed.first { $0["id"] as? String == dune }?["bytes_missing"] as? Bool == false)
            let failed = try await t.transform(alice, gulp, #"{"rotate":180}"#, wait: 20).json()
            #expect(failed["status"] as? String == "failed", "\(failed)")
            #expect((failed["error"] as? [String: Any])?["code"] as? String == "original_missing")
        }
    }

    @Test func theSweeperFindsLostBytesRemakesVariantsAndClearsMarksOfRestoredOriginals() async throws {
        try await withService { h, store in
            let alice = try await I.signUp(h, "alice")
            let dune = try await upload(alice, "Dune.jpg")
            let kept = try await upload(alice, "Gulp.png", as: "kept.png")
            let lost = try await upload(alice, "Gulp.png", as: "lost.png")
            let variant = try await t.transform(alice, dune, #"{"filters":{"grayscale":true}}"#, wait: 20).json()
            #expect(variant["status"] as? String == "ready")
            let variantKey = try #require(try await store.listObjects(prefix: "variants/\(alice.userID)/\(dune)/").objects.first?.key)
            let lostKey = "originals/\(alice.userID)/\(lost)"
            let lostBytes = try await store.getObject(key: lostKey)
            try await store.deleteObject(key: variantKey)
            try await store.deleteObject(key: lostKey)

            let report = try await sweep(h)
            #expect(report["variants_remade"] as? Int == 1, "\(report)")
            #expect(report["bytes_missing_marked"] as? Int == 1, "\(report)")
            #expect((report["errors"] as? [Any])?.isEmpty == true, "\(report)")
            // The worker makes the variant again from the queue.
            var back: Int?
            for _ in 0..<100 where back == nil {
                back = try await store.objectSize(key: variantKey)
                if back == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(back != nil, "the variant's bytes came back")
            let items = try await h.request(.GET, "/images", headers: alice.auth).json()["items"] as? [[String: Any]] ?? []
            let missing = Set(items.filter { $0["bytes_missing"] as? Bool == true }.compactMap { $0["id"] as? String })
            #expect(missing == [lost], "only the lost original, not \(kept) or \(dune)")

            // Restored (from a backup, say): the next sweep clears the mark and the image serves again.
            try await store.putObject(key: lostKey, body: lostBytes, contentType: "image/png")
            let restored = try await sweep(h)
            #expect(restored["bytes_missing_cleared"] as? Int == 1, "\(restored)")
            #expect(try await h.request(.GET, "/images/\(lost)/metadata", headers: alice.auth).json()["bytes_missing"] as? Bool == false)
            let served = try await h.request(.GET, "/images/\(lost)", headers: alice.auth)
            #expect(served.status == 200)
            #expect(served.body == lostBytes)
        }
    }
}
