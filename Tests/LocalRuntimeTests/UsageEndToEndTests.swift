import Foundation
import Testing

/// `GET /usage` through local-runtime: counts and bytes of originals and variants as stored, transforms
/// counted once per new variant (not for one that existed, not given back by a delete), rate limits read
/// without being spent, and a delete's bytes freed at once.
@Suite struct UsageEndToEndTests {
    typealias I = ImagesEndToEndTests

    @Test func usageFollowsUploadsTransformsAndDeletes() async throws {
        try await RuntimeHarness.withImageFunctions(["RATE_LIMIT_TRANSFORMS": "6/min burst 5", "RATE_LIMIT_UPLOADS": "off"]) { h in
                let alice = try await I.signUp(h, "alice"), bob = try await I.signUp(h, "bob")
                func usage(_ s: I.Session) async throws -> [String: Any] {
                    let reply = try await h.request(.GET, "/usage", headers: s.auth)
                    #expect(reply.status == 200 && reply.header("cache-control") == "no-store", "\(reply.text)")
                    return try reply.json()
                }
                func holding(_ u: [String: Any], _ kind: String) -> (Int, Int) {
                    let h = u[kind] as? [String: Any]
                    return (h?["count"] as? Int ?? -1, h?["bytes"] as? Int ?? -1)
                }

                let empty = try await usage(alice)
                #expect(holding(empty, "originals") == (0, 0) && holding(empty, "variants") == (0, 0))
                let transforms = try #require(empty["transforms"] as? [String: Any])
                #expect(transforms["count"] as? Int == 0)
                let start = try #require(transforms["period_start"] as? String)
                #expect(start.hasSuffix("-01T00:00:00Z"), "\(start)")
                let limits = try #require(empty["rate_limits"] as? [String: Any])
                #expect(limits["uploads"] is NSNull)
                let fresh = try #require(limits["transforms"] as? [String: Any])
                #expect(fresh["burst"] as? Int == 5 && fresh["remaining"] as? Int == 5 && fresh["reset_seconds"] as? Int == 0)

                let dune = try await alice.upload(try I.photo("Dune.jpg")).json()
                let gulp = try await alice.upload(try I.photo("Gulp.png"), filename: "g.png", type: "image/png").json()
                let duneID = try #require(dune["id"] as? String)
                let duneBytes = try #require(dune["size_bytes"] as? Int), gulpBytes = try #require(gulp["size_bytes"] as? Int)
                _ = try await bob.upload(try I.photo("Dune.jpg"))

                let body = Data(#"{"transformations":{"resize":{"width":120}}}"#.utf8)
                let made = try await h.request(.POST, "/images/\(duneID)/transform", body: body, headers: alice.auth + [("Content-Type", "application/json"), ("Prefer", "wait=20")])
                #expect(made.status == 201, "\(made.text)")
                let variantBytes = try #require(try made.json()["size_bytes"] as? Int)
                // The same spec again is the existing variant: no new transform, no unit spent.
                let again = try await h.request(.POST, "/images/\(duneID)/transform", body: body, headers: alice.auth + [("Content-Type", "application/json")])
                #expect(again.status == 200)
                // A URL transformation is a transform too.
                #expect(try await h.request(.GET, "/images/\(duneID)/t/w_60", headers: alice.auth).status == 200)

                let full = try await usage(alice)
                #expect(holding(full, "originals") == (2, duneBytes + gulpBytes))
                let variants = holding(full, "variants")
                #expect(full["stored_bytes"] as? Int == duneBytes + gulpBytes + variants.1 && full["quota_bytes"] is NSNull)
                #expect(variants.0 == 2 && variants.1 > variantBytes, "\(variants)")
                #expect((full["transforms"] as? [String: Any])?["count"] as? Int == 2)
                let spent = (full["rate_limits"] as? [String: Any])?["transforms"] as? [String: Any]
                #expect(spent?["remaining"] as? Int == 3 && (spent?["reset_seconds"] as? Int ?? 0) > 0, "\(String(describing: spent))")
                // Reading the usage spends nothing.
                let twice = try await usage(alice)
                #expect(((twice["rate_limits"] as? [String: Any])?["transforms"] as? [String: Any])?["remaining"] as? Int == 3)
                // Bob's upload is his own.
                #expect(holding(try await usage(bob), "originals") == (1, duneBytes))

                // A delete frees its bytes at once (the variants go with their original); transforms stay counted.
                #expect(try await h.request(.DELETE, "/images/\(duneID)", headers: alice.auth).status == 204)
                let after = try await usage(alice)
                #expect(holding(after, "originals") == (1, gulpBytes) && holding(after, "variants") == (0, 0))
                #expect((after["transforms"] as? [String: Any])?["count"] as? Int == 2)
                #expect(try await h.request(.GET, "/usage").status == 401)
        }
    }
}
