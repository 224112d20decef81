import Foundation
import Testing

/// Display renditions through local-runtime: the list and metadata answers carry signed URLs of the sizes the
/// service shows an image at; they load with no header, cost the user nothing (no transforms unit, no usage,
/// no quota, not in the variants list) even when the transforms limit is spent, are kept apart from the user's
/// own variant of the same options, cannot be forged or asked for with a bearer token, and die with the image.
@Suite struct DisplayRenditionEndToEndTests {
    typealias I = ImagesEndToEndTests

    @Test func renditionsAreTheServicesOwnAndCostTheUserNothing() async throws {
        // One new variant a minute: the renditions below would be refused at once if they counted.
        try await RuntimeHarness.withImageFunctions(["RATE_LIMIT_TRANSFORMS": "1/min burst 1"]) { h in
                let alice = try await I.signUp(h, "alice")
                let dune = try await alice.upload(try I.photo("Dune.jpg")).json()
                let id = try #require(dune["id"] as? String)
                #expect(dune["display_urls"] == nil, "an upload's answer carries none")
                // The user's one unit, spent on a variant of their own.
                #expect(try await h.request(.GET, "/images/\(id)/t/w_90", headers: alice.auth).status == 200)

                let listed = try await h.request(.GET, "/images", headers: alice.auth).json()
                let item = try #require((listed["items"] as? [[String: Any]])?.first)
                let urls = try #require(item["display_urls"] as? [String: String])
                let thumbnail = try #require(urls["thumbnail"]), large = try #require(urls["large"])
                #expect(thumbnail.hasPrefix("/images/\(id)/t/w_400,h_400,fit_cover?display=1&expires="))
                let metadataURLs = try await h.request(.GET, "/images/\(id)/metadata", headers: alice.auth).json()["display_urls"] as? [String: String]
                #expect(metadataURLs == urls, "the same URLs all day")

                // No header needed, nothing spent: both made while the transforms limit is at 0.
                for path in [thumbnail, large, thumbnail] {
                    let reply = try await h.request(.GET, path)
                    #expect(reply.status == 200 && reply.header("content-type") == "image/jpeg", "\(path): \(reply.status) \(reply.text.prefix(200))")
                    #expect(reply.header("cache-control")?.hasPrefix("public, max-age=") == true)
                    #expect(reply.header("ratelimit") == nil)
                }
                let small = try await h.request(.GET, thumbnail)
                #expect(small.body.count > 1000)
                // Not the user's: not listed, not counted, and the user's own variant of the same options is another.
                let variants = try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()
                #expect(variants["total"] as? Int == 1, "\(variants)")
                let usage = try await h.request(.GET, "/usage", headers: alice.auth).json()
                #expect((usage["variants"] as? [String: Any])?["count"] as? Int == 1)
                #expect((usage["transforms"] as? [String: Any])?["count"] as? Int == 1)
                let own = try await h.request(.GET, "/images/\(id)/t/w_400,h_400,fit_cover", headers: alice.auth)
                #expect(own.status == 429, "the user's own variant of the same options is new work: \(own.status)")

                // Forged or borrowed: the flag is signed, and a bearer request cannot name it.
                let unflagged = thumbnail.replacingOccurrences(of: "display=1&", with: "")
                #expect(try await h.request(.GET, unflagged).status == 403)
                let otherOptions = thumbnail.replacingOccurrences(of: "w_400,h_400", with: "w_500,h_500")
                #expect(try await h.request(.GET, otherOptions).status == 403)
                let bearer = try await h.request(.GET, "/images/\(id)/t/w_400,h_400,fit_cover?display=1", headers: alice.auth)
                let bearerCode = try bearer.json()["code"] as? String
                #expect(bearer.status == 403 && bearerCode == "invalid_signature")

                // Gone with the image.
                #expect(try await h.request(.DELETE, "/images/\(id)", headers: alice.auth).status == 204)
                #expect(try await h.request(.GET, thumbnail).status == 404)
        }
    }
}
