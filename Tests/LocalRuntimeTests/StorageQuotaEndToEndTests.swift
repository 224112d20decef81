import Foundation
import Testing

/// `STORAGE_QUOTA_BYTES` through local-runtime: uploads (every route) and new variants (queued and by URL)
/// that would pass a user's quota are 403 `quota_exceeded` naming the quota and the usage, with nothing
/// stored; a delete frees its bytes at once; a variant refused for the quota is made when asked again once it
/// fits; and once the stored bytes have reached the quota (an operator lowered it) a new variant is refused at
/// the request while existing ones are still served. Three services in turn on one database and bucket.
@Suite struct StorageQuotaEndToEndTests {
    typealias I = ImagesEndToEndTests
    static let json = [("Content-Type", "application/json")]

    func withService(database: String, quota: Int, _ body: @Sendable @escaping (RuntimeHarness) async throws -> Void) async throws {
        try await RuntimeHarness.withImageFunctions(["STORAGE_QUOTA_BYTES": String(quota), "RATE_LIMIT_UPLOADS": "off"], database: database, body)
    }

    static func expectQuotaRefusal(_ reply: RuntimeHarness.Reply, quota: Int, stored: Int, _ what: String) throws {
        #expect(reply.status == 403, "\(what): \(reply.status) \(reply.text.prefix(300))")
        let problem = try reply.json()
        #expect(problem["code"] as? String == "quota_exceeded", "\(what): \(problem)")
        let detail = problem["detail"] as? String ?? ""
        #expect(detail.contains("\(quota) bytes") && detail.contains("\(stored) bytes are stored"), "\(what): \(detail)")
    }

    static func storedBytes(_ h: RuntimeHarness, _ s: I.Session) async throws -> (originals: Int, variants: Int) {
        let usage = try await h.request(.GET, "/usage", headers: s.auth).json()
        return ((usage["originals"] as? [String: Any])?["bytes"] as? Int ?? -1, (usage["variants"] as? [String: Any])?["bytes"] as? Int ?? -1)
    }

    @Test func uploadsAndVariantsStayWithinTheQuota() async throws {
        try await ScratchDatabase.with { url in
            let dune = try I.photo("Dune.jpg"), gulp = try I.photo("Gulp.png")
            let quota = 1_200_000
            let refusedOptions = "w_600,fmt_png"
            let found = Found()
            try await withService(database: url, quota: quota) { h in
                let alice = try await I.signUp(h, "alice")
                let first = try await alice.upload(dune).json()
                let duneBytes = try #require(first["size_bytes"] as? Int)
                #expect(duneBytes <= quota)

                // Every upload route refuses what would pass the quota, before storing anything.
                try Self.expectQuotaRefusal(try await alice.upload(gulp, filename: "g.png", type: "image/png"), quota: quota, stored: duneBytes, "multipart")
                let base64 = try JSONSerialization.data(withJSONObject: ["image": gulp.base64EncodedString()])
                try Self.expectQuotaRefusal(try await h.request(.POST, "/images/upload", body: base64, headers: alice.auth + Self.json), quota: quota, stored: duneBytes, "base64")
                let presigned = try await h.request(.POST, "/images/uploads", body: Data(#"{"size_bytes":500000}"#.utf8), headers: alice.auth + Self.json)
                try Self.expectQuotaRefusal(presigned, quota: quota, stored: duneBytes, "presigned")
                #expect(try await h.request(.GET, "/images", headers: alice.auth).json()["total"] as? Int == 1)

                // A delete frees its bytes at once: the same photo fits again.
                let firstID = try #require(first["id"] as? String)
                #expect(try await h.request(.DELETE, "/images/\(firstID)", headers: alice.auth).status == 204)
                let second = try await alice.upload(dune)
                #expect(second.status == 201, "\(second.text)")
                let id = try #require(try second.json()["id"] as? String)

                // A variant by URL that would pass it: made, refused before its bytes are stored.
                let big = try await h.request(.GET, "/images/\(id)/t/\(refusedOptions)", headers: alice.auth)
                let bigCode = try big.json()["code"] as? String
                #expect(big.status == 403 && bigCode == "quota_exceeded", "\(big.status) \(big.text.prefix(300))")
                let stored = try await Self.storedBytes(h, alice)
                #expect(stored.originals == duneBytes && stored.variants == 0, "\(stored)")
                let usage = try await h.request(.GET, "/usage", headers: alice.auth).json()
                #expect(usage["quota_bytes"] as? Int == quota && usage["stored_bytes"] as? Int == duneBytes)
                // A small one fits.
                #expect(try await h.request(.GET, "/images/\(id)/t/w_100", headers: alice.auth).status == 200)
                // A queued one that would pass it fails with the quota's code, and nothing is stored.
                let queued = try await h.request(
                    .POST, "/images/\(id)/transform", body: Data(#"{"transformations":{"resize":{"width":900},"format":"png"}}"#.utf8),
                    headers: alice.auth + Self.json
                )
                #expect(queued.status == 202, "\(queued.text)")
                let variantID = try #require(try queued.json()["id"] as? String)
                #expect(await h.eventually(timeout: .seconds(20)) {
                    let meta = try? await h.request(.GET, "/images/\(variantID)/metadata", headers: alice.auth).json()
                    return (meta?["error"] as? [String: Any])?["code"] as? String == "quota_exceeded"
                })
                let afterVariants = try await Self.storedBytes(h, alice)
                #expect(afterVariants.originals == duneBytes && afterVariants.variants > 0 && afterVariants.variants < 100_000)

                // The quota is each user's own.
                let bob = try await I.signUp(h, "bob")
                #expect(try await bob.upload(dune).status == 201)
                found.set(token: alice.token, image: id)
            }
            let alice = [("Authorization", "Bearer \(found.token)")], imageID = found.image

            // The operator raises the quota: the refused variant is made when asked again.
            try await withService(database: url, quota: 3_000_000) { h in
                let again = try await h.request(.GET, "/images/\(imageID)/t/\(refusedOptions)", headers: alice)
                #expect(again.status == 200 && again.header("content-type") == "image/png", "\(again.status) \(again.text.prefix(200))")
            }

            // The operator lowers it below what is stored: new variants are refused at the request, existing ones served.
            try await withService(database: url, quota: 500_000) { h in
                let queued = try await h.request(
                    .POST, "/images/\(imageID)/transform", body: Data(#"{"transformations":{"resize":{"width":321}}}"#.utf8), headers: alice + Self.json
                )
                let queuedCode = try queued.json()["code"] as? String
                #expect(queued.status == 403 && queuedCode == "quota_exceeded", "\(queued.text)")
                #expect(try await h.request(.GET, "/images/\(imageID)/t/w_101", headers: alice).status == 403)
                #expect(try await h.request(.GET, "/images/\(imageID)/t/w_100", headers: alice).status == 200)
                #expect(try await h.request(.GET, "/images/\(imageID)", headers: alice).status == 200)
            }
        }
    }

    /// What the first service leaves for the next ones.
    final class Found: @unchecked Sendable {
        private let lock = NSLock()
        private var values = ("", "")
        func set(token: String, image: String) { lock.withLock { values = (token, image) } }
        var token: String { lock.withLock { values.0 } }
        var image: String { lock.withLock { values.1 } }
    }
}
