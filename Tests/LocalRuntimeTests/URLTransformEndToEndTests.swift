import Foundation
@testable import Imaging
import NIOHTTP1
import Testing
@testable import TestSupport

/// `GET /images/{id}/t/{options}` through local-runtime with real workers and services: a variant made within
/// the request, served, and the same variant as the JSON route; signed URLs that need no header; errors that
/// name each bad option; the rate limit counting new work only.
@Suite struct URLTransformEndToEndTests {
    typealias I = ImagesEndToEndTests
    typealias T = TestImages

    func withService(
        _ environment: [String: String] = [:], _ body: @Sendable @escaping (RuntimeHarness) async throws -> Void
    ) async throws {
        try await RuntimeHarness.withImageFunctions(environment, body)
    }

    static func quadrantPNG() throws -> Data { Data(try T.encode(T.quadrantPixels(), width: 64, height: 48)) }

    @Test func aNewVariantIsMadeInTheRequestAndIsTheJSONRoutesVariant() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let png = try Self.quadrantPNG()
            let id = try #require(try await alice.upload(png, filename: "q.png", type: "image/png").json()["id"] as? String)

            let made = try await h.request(.GET, "/images/\(id)/t/w_32,rot_90", headers: alice.auth)
            #expect(made.status == 200)
            #expect(made.header("content-type") == "image/png")
            #expect(made.header("cache-control") == "private, max-age=31536000, immutable")
            let location = try #require(made.header("content-location"))
            let decoded = try T.decode([UInt8](made.body))
            #expect(decoded.width == 24 && decoded.height == 32)
            TransformPixelsEndToEndTests.quadrants(decoded, T.blue, T.red, T.yellow, T.green, "w_32,rot_90")
            // The same bytes as the imaging pipeline in process: the URL path adds nothing and loses nothing.
            let (expected, _) = try T.transform([UInt8](png), #"{"resize":{"width":32},"rotate":90}"#)
            #expect([UInt8](made.body) == expected.bytes)

            // The JSON route, other option orders and the ETag all name the same variant: no new work.
            let json = try await h.request(
                .POST, "/images/\(id)/transform", body: Data(#"{"transformations":{"rotate":90,"resize":{"width":32}}}"#.utf8),
                headers: alice.auth + [("Content-Type", "application/json")]
            )
            #expect(json.status == 200)
            #expect("/images/\(try #require(json.json()["id"] as? String))" == location)
            let again = try await h.request(.GET, "/images/\(id)/t/rot_450,w_32", headers: alice.auth)
            #expect(again.status == 200 && again.header("content-location") == location && again.body == made.body)
            let etag = try #require(made.header("etag"))
            let cached = try await h.request(.GET, "/images/\(id)/t/w_32,rot_90", headers: alice.auth + [("If-None-Match", etag)])
            #expect(cached.status == 304)
            #expect(try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()["total"] as? Int == 1)

            // Large results (or any, when asked) are a redirect to the object, as for GET /images/{id}.
            let redirected = try await h.request(.GET, "/images/\(id)/t/w_32,rot_90?redirect=1", headers: alice.auth)
            #expect(redirected.status == 302)
            let fetched = try await RuntimeHarness.fetch(try #require(redirected.header("location")))
            #expect(fetched.status == 200 && fetched.body == made.body)

            // Gravity: a 16 px column of the 64x48 quadrants, from the east edge (green over yellow).
            let east = try await h.request(.GET, "/images/\(id)/t/w_16,h_48,g_east", headers: alice.auth)
            #expect(east.status == 200)
            let column = try T.decode([UInt8](east.body))
            #expect(column.width == 16 && column.isColour(8, 12, T.green) && column.isColour(8, 36, T.yellow))

            // A pipeline by URL: rotated first, then the top-left 24x32 is blue; a crop outside the rotated
            // image is named by its step.
            let piped = try await h.request(.GET, "/images/\(id)/t/rot_90|crop_0:0:24:32", headers: alice.auth)
            #expect(piped.status == 200)
            let blue = try T.decode([UInt8](piped.body))
            #expect(blue.width == 24 && blue.height == 32 && blue.isColour(12, 16, T.blue))
            let outside = try await h.request(.GET, "/images/\(id)/t/rot_90|crop_0:0:60:10", headers: alice.auth)
            #expect(outside.status == 422)
            #expect(try outside.json()["errors"].debugDescription.contains("options[1].crop"))

            // A watermark's text may carry an encoded comma; the variant records the decoded text.
            let marked = try await h.request(.GET, "/images/\(id)/t/wm_a%2Cb,wmpos_center", headers: alice.auth)
            #expect(marked.status == 200)
            let variant = try await h.request(.GET, try #require(marked.header("content-location")) + "/metadata", headers: alice.auth).json()
            let watermark = (variant["transformations"] as? [String: Any])?["watermark"] as? [String: Any]
            #expect(watermark?["text"] as? String == "a,b")
        }
    }

    @Test func identicalRequestsAtOnceMakeOneVariant() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            let replies = try await withThrowingTaskGroup(of: RuntimeHarness.Reply.self) { group in
                for _ in 0..<6 { group.addTask { try await h.request(.GET, "/images/\(id)/t/w_300,sepia,fmt_webp", headers: alice.auth) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == 200 && $0.header("content-type") == "image/webp" }, "\(replies.map(\.status))")
            #expect(Set(replies.compactMap { $0.header("etag") }).count == 1)
            #expect(Set(replies.compactMap { $0.header("content-location") }).count == 1)
            #expect(try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()["total"] as? Int == 1)
            let decoded = try T.decode([UInt8](try #require(replies.first).body))
            #expect(decoded.width == 300)
        }
    }

    @Test func badOptionsAreA422NamingEachAndRecordNothing() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            let bad = try await h.request(.GET, "/images/\(id)/t/w_0,foo,crop_0:0:99999:10,q_80", headers: alice.auth)
            #expect(bad.status == 422)
            let json = try bad.json()
            #expect(json["code"] as? String == "invalid_transformation")
            let fields = Set((json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["options.w", "options.foo", "options.crop"])
            let outside = try await h.request(.GET, "/images/\(id)/t/crop_1500:0:300:10", headers: alice.auth)
            #expect(outside.status == 422)
            #expect(try outside.json()["errors"].debugDescription.contains("options.crop"))
            #expect(try await h.request(.GET, "/images/\(id)/t/fmt_jpeg", headers: alice.auth).status == 422)  // no change
            #expect(try await h.request(.GET, "/images/\(id)/t/w_100").status == 401)
            let bob = try await I.signUp(h, "bob")
            #expect(try await h.request(.GET, "/images/\(id)/t/w_100", headers: bob.auth).status == 404)
            #expect(try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()["total"] as? Int == 0)
        }
    }

    @Test func fmtAutoFollowsAcceptWithOneSignedURLAndDprNamesTheSizesVariant() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            let chrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
            let safari = "image/webp,image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5"
            let signed = try await h.request(
                .POST, "/images/\(id)/signed-url", body: Data(#"{"options":"fmt_auto,w_200"}"#.utf8),
                headers: alice.auth + [("Content-Type", "application/json")]
            )
            #expect(try signed.json()["options"] as? String == "w_200,fmt_auto")
            let url = try #require(try signed.json()["url"] as? String)

            // One URL, three variants: what each client's Accept names first, each kept once.
            var locations: [String: String] = [:]
            for (accept, type) in [(chrome, "image/avif"), (safari, "image/webp"), ("*/*", "image/jpeg")] {
                let served = try await h.request(.GET, url, headers: [("Accept", accept)])
                #expect(served.status == 200, "\(served.text.prefix(200))")
                #expect(served.header("content-type") == type)
                #expect(served.header("vary") == "Accept")
                #expect(try T.decode([UInt8](served.body)).width == 200)
                locations[type] = served.header("content-location")
            }
            #expect(Set(locations.values).count == 3)
            let again = try await h.request(.GET, url, headers: [("Accept", chrome)])
            #expect(again.header("content-location") == locations["image/avif"])
            #expect(try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()["total"] as? Int == 3)
            // The same variants as the formats written out (here with the token).
            let webp = try await h.request(.GET, "/images/\(id)/t/w_200,fmt_webp", headers: alice.auth)
            #expect(webp.header("content-location") == locations["image/webp"] && webp.header("vary") == nil)

            // Nothing else to change for a client that takes only the source's format: the original itself.
            let original = try await h.request(.GET, "/images/\(id)/t/fmt_auto", headers: alice.auth + [("Accept", "*/*")])
            #expect(original.status == 200 && original.header("content-location") == "/images/\(id)")
            #expect(original.header("vary") == "Accept")

            // dpr multiplies the sizes: the variant of the sizes written out, never wider than the source.
            let dense = try await h.request(.GET, "/images/\(id)/t/w_100,dpr_2", headers: alice.auth)
            #expect(dense.status == 200)
            #expect(try T.decode([UInt8](dense.body)).width == 200)
            let plain = try await h.request(.GET, "/images/\(id)/t/w_200", headers: alice.auth)
            #expect(plain.header("content-location") == dense.header("content-location"))
            let capped = try await h.request(.GET, "/images/\(id)/t/w_1000,dpr_4", headers: alice.auth)
            #expect(try T.decode([UInt8](capped.body)).width == 1680)
            #expect(try await h.request(.GET, "/images/\(id)/t/w_100,dpr_9", headers: alice.auth).status == 422)
        }
    }

    @Test func aSignedURLNeedsNoHeaderAndOnlyWorksAsSigned() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            let other = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            func sign(_ body: String, as session: I.Session? = nil, image: String? = nil) async throws -> RuntimeHarness.Reply {
                try await h.request(
                    .POST, "/images/\(image ?? id)/signed-url", body: Data(body.utf8),
                    headers: (session ?? alice).auth + [("Content-Type", "application/json")]
                )
            }
            let signed = try await sign(#"{"options":"rot_90,W_200"}"#)
            #expect(signed.status == 200)
            let answer = try signed.json()
            #expect(answer["options"] as? String == "w_200,rot_90")  // canonical order and spelling
            let url = try #require(answer["url"] as? String)
            #expect(url.hasPrefix("/images/\(id)/t/w_200,rot_90?expires="))
            #expect(answer["expires_at"] is String)

            let served = try await h.request(.GET, url)
            #expect(served.status == 200)
            #expect(served.header("content-type") == "image/jpeg")
            let maxAge = served.header("cache-control").flatMap { $0.split(separator: "=").last.flatMap { Int($0) } } ?? -1
            #expect(served.header("cache-control")?.hasPrefix("public, max-age=") == true && (86_000...86_400).contains(maxAge))
            #expect(try T.decode([UInt8](served.body)).height == 200)

            // The signature covers the options, the image and the expiry.
            let tampered = url.replacingOccurrences(of: "w_200", with: "w_201")
            #expect(try await h.request(.GET, tampered).status == 403)
            #expect(try await h.request(.GET, url.replacingOccurrences(of: id, with: other)).status == 403)
            let later = url.replacingOccurrences(of: "expires=", with: "expires=9")
            let refused = try await h.request(.GET, later)
            #expect(refused.status == 403)
            #expect(try refused.json()["code"] as? String == "invalid_signature")
            #expect(try await h.request(.GET, url.components(separatedBy: "&signature=")[0]).status == 403)

            let brief = try #require(try await sign(#"{"options":"w_100","expires_in":1}"#).json()["url"] as? String)
            try await Task.sleep(for: .milliseconds(2100))
            let expired = try await h.request(.GET, brief)
            #expect(expired.status == 403)
            #expect(try expired.json()["code"] as? String == "signature_expired")

            // Signing checks what the URL would check, and only the owner signs.
            let invalid = try await sign(#"{"options":5,"expires_in":0,"extra":true}"#)
            #expect(invalid.status == 422)
            let fields = Set((try invalid.json()["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["options", "expires_in", "extra"])
            let badOptions = try await sign(#"{"options":"w_0,zoom_2"}"#)
            #expect(badOptions.status == 422)
            #expect(try badOptions.json()["errors"].debugDescription.contains("options.zoom"))
            let bob = try await I.signUp(h, "bob")
            #expect(try await sign(#"{"options":"w_100"}"#, as: bob).status == 404)

            // A deleted image is gone for its signed URLs too.
            #expect(try await h.request(.DELETE, "/images/\(id)", headers: alice.auth).status == 204)
            #expect(try await h.request(.GET, url).status == 404)
        }
    }

    @Test func onlyNewWorkCountsAgainstTheRateLimit() async throws {
        // One unit in six seconds: the three requests fit in one refill on a loaded machine (at one a second they
        // did not always).
        try await withService(["RATE_LIMIT_TRANSFORMS": "10/min burst 2"]) { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try Self.quadrantPNG(), filename: "q.png", type: "image/png").json()["id"] as? String)
            let first = try await h.request(.GET, "/images/\(id)/t/w_10", headers: alice.auth)
            #expect(first.status == 200)
            #expect(first.header("ratelimit-policy") == #""transforms";q=2;w=12"#)
            #expect(try await h.request(.GET, "/images/\(id)/t/w_11", headers: alice.auth).status == 200)
            let refused = try await h.request(.GET, "/images/\(id)/t/w_12", headers: alice.auth)
            #expect(refused.status == 429)
            #expect(refused.header("retry-after") != nil)
            // Existing variants cost nothing and are still served.
            for _ in 0..<3 { #expect(try await h.request(.GET, "/images/\(id)/t/w_10", headers: alice.auth).status == 200) }
            #expect(try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()["total"] as? Int == 2)
        }
    }

    @Test func anAnimationIsStoredWholeAndTransformedFrameByFrame() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let gif = Data(try T.Animation.animation(.gif))
            let upload = try await alice.upload(gif, filename: "loop.gif", type: "image/gif")
            #expect(upload.status == 201)
            let id = try #require(try upload.json()["id"] as? String)
            // Stored with every frame, delays and loop count.
            let stored = try T.Animation.frames(of: [UInt8](try await h.request(.GET, "/images/\(id)", headers: alice.auth).body))
            #expect(stored.count == 3 && stored.delays == T.Animation.delays && stored.loop == 2)
            #expect(try await h.request(.GET, "/images/\(id)/metadata", headers: alice.auth).json()["frame_count"] as? Int == 3)
            // Half size, as WebP, by URL: still three frames; a still format or `still` takes the first.
            let webp = try await h.request(.GET, "/images/\(id)/t/w_20,fmt_webp", headers: alice.auth)
            #expect(webp.status == 200 && webp.header("content-type") == "image/webp")
            let frames = try T.Animation.frames(of: [UInt8](webp.body))
            #expect(frames.count == 3 && frames.pageHeight == 15 && frames.delays == T.Animation.delays)
            #expect(frames.isColour(frame: 1, 10, 3, T.green) && frames.isColour(frame: 2, 10, 11, T.red))
            for options in ["w_20,fmt_png", "w_20,still"] {
                let still = try await h.request(.GET, "/images/\(id)/t/\(options)", headers: alice.auth)
                #expect(still.status == 200)
                #expect(try T.Animation.frames(of: [UInt8](still.body)).count == 1, "\(options)")
            }
        }
    }
}
