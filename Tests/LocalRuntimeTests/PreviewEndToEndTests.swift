import Foundation
import Testing

/// `POST /images/{id}/preview` through local-runtime: the transformations rendered and stored nowhere, bounded
/// in size, not to be cached, on an allowance of their own; refusals named as the transform route names them.
@Suite struct PreviewEndToEndTests {
    typealias I = ImagesEndToEndTests
    static let json = [("Content-Type", "application/json")]

    @Test func aPreviewStoresNothingAndSpendsOnlyItsOwnAllowance() async throws {
        try await RuntimeHarness.withImageFunctions(["RATE_LIMIT_PREVIEWS": "1/min burst 3", "RATE_LIMIT_TRANSFORMS": "1/min burst 1"]) { h in
                let alice = try await I.signUp(h, "alice"), bob = try await I.signUp(h, "bob")
                let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
                func preview(_ body: String, as s: I.Session) async throws -> RuntimeHarness.Reply {
                    try await h.request(.POST, "/images/\(id)/preview", body: Data(body.utf8), headers: s.auth + Self.json)
                }

                // Dune is 1680 × 1050: a sepia preview at full size comes back fitted inside 800 px, as PNG.
                let sepia = try await preview(#"{"transformations":{"filters":{"sepia":true},"format":"png"}}"#, as: alice)
                #expect(sepia.status == 200, "\(sepia.text.prefix(300))")
                #expect(sepia.header("content-type") == "image/png" && sepia.header("cache-control") == "no-store")
                #expect(sepia.header("x-image-width") == "800" && sepia.header("x-image-height") == "500")
                #expect(Array(sepia.body.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
                let small = try await preview(#"{"transformations":{"resize":{"width":120}}}"#, as: alice)
                #expect(small.status == 200 && small.header("x-image-width") == "120" && small.header("content-type") == "image/jpeg")

                // Refused fields are named, and cost no unit.
                let refused = try await preview(#"{"transformations":{"resize":{"width":0},"blur":1}}"#, as: alice)
                #expect(refused.status == 422, "\(refused.text)")
                let fields = Set((try refused.json()["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
                #expect(fields.contains("transformations.resize.width") && fields.contains("transformations.blur"), "\(fields)")

                // Stored nowhere: no variant, no transform counted, the transforms allowance untouched.
                let variants = try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()
                #expect(variants["total"] as? Int == 0)
                let usage = try await h.request(.GET, "/usage", headers: alice.auth).json()
                #expect((usage["transforms"] as? [String: Any])?["count"] as? Int == 0)
                let limits = usage["rate_limits"] as? [String: Any]
                #expect((limits?["transforms"] as? [String: Any])?["remaining"] as? Int == 1)
                #expect((limits?["previews"] as? [String: Any])?["remaining"] as? Int == 1, "\(String(describing: limits))")

                // Its own allowance: the third preview is the last of the burst, the fourth waits.
                #expect(try await preview(#"{"transformations":{"flip":true}}"#, as: alice).status == 200)
                let throttled = try await preview(#"{"transformations":{"mirror":true}}"#, as: alice)
                #expect(throttled.status == 429 && throttled.header("retry-after") != nil)
                // Another user's image is not found.
                #expect(try await preview(#"{"transformations":{"flip":true}}"#, as: bob).status == 404)
        }
    }
}
