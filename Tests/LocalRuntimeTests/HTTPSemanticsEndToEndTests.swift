import Foundation
import NIOHTTP1
import Testing

/// HTTP as clients expect it, through local-runtime and the real functions: HEAD on every GET route, 405 with
/// `Allow` from the `$default` route, CORS for listed origins only, weak `If-None-Match`, a query parameter the
/// URL route does not take named in a 422, and `Prefer: wait` that waits for a variant another request is
/// making.
@Suite struct HTTPSemanticsEndToEndTests {
    typealias I = ImagesEndToEndTests
    let t = TransformEndToEndTests()
    static let app = "https://app.example.com"

    func withService(_ body: @Sendable @escaping (RuntimeHarness) async throws -> Void) async throws {
        try await ScratchDatabase.with { url in
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: ["DATABASE_URL": url, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error"],
                consumeQueues: true, corsOrigins: [Self.app]
            ) { h in try await body(h) }
        }
    }

    @Test func headAnswersEveryGETWithItsHeadersAndNoBody() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            for path in ["/images/\(id)", "/images", "/images/\(id)/metadata", "/healthz", "/", "/openapi.json", "/metrics"] {
                let get = try await h.request(.GET, path, headers: alice.auth)
                let head = try await h.request(.HEAD, path, headers: alice.auth)
                #expect(get.status == 200 && head.status == 200, "\(path): \(get.status) \(head.status)")
                #expect(head.body.isEmpty, "\(path)")
                #expect(head.header("content-type") == get.header("content-type"), "\(path)")
                // The metrics page grows between the two requests (they count themselves).
                if path == "/metrics" {
                    #expect((head.header("content-length").flatMap(Int.init) ?? 0) > 1000)
                } else {
                    #expect(head.header("content-length") == String(get.body.count), "\(path)")
                }
                if path == "/images/\(id)" { #expect(head.header("etag") == get.header("etag")) }
            }
            // A HEAD that fails has the failure's status and no body either.
            let missing = try await h.request(.HEAD, "/images/00000000-0000-0000-0000-000000000000", headers: alice.auth)
            #expect(missing.status == 404 && missing.body.isEmpty)
        }
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Gulp.png")).json()["id"] as? String)
            for (method, path, allow) in [
                (HTTPMethod.PUT, "/images/\(id)", "DELETE, GET, HEAD, OPTIONS"), (.DELETE, "/images", "GET, HEAD, POST, OPTIONS"),
                (.PATCH, "/register", "POST, OPTIONS"), (.POST, "/images/\(id)/t/w_10", "GET, HEAD, OPTIONS"),
            ] {
                let reply = try await h.request(method, path, body: Data("{}".utf8), headers: alice.auth)
                #expect(reply.status == 405, "\(method) \(path): \(reply.text)")
                #expect(reply.header("allow") == allow, "\(method) \(path)")
                #expect(reply.header("content-type") == "application/problem+json")
                #expect(try reply.json()["code"] as? String == "method_not_allowed")
            }
            // Nothing was changed by the refused PUT; OPTIONS without CORS says what the path takes.
            #expect(try await h.request(.GET, "/images/\(id)", headers: alice.auth).status == 200)
            let options = try await h.request(.OPTIONS, "/images/\(id)")
            #expect(options.status == 204 && options.header("allow") == "DELETE, GET, HEAD, OPTIONS")
            let unknown = try await h.request(.GET, "/no/such/route")
            #expect(unknown.status == 404)
            #expect(try unknown.json()["code"] as? String == "not_found")
            // An id with anything after it names nothing; a page past any library is a 422, not a crash.
            #expect(try await h.request(.GET, "/images/\(id)%00", headers: alice.auth).status == 404)
            #expect(try await h.request(.GET, "/images/\(id)%00/metadata", headers: alice.auth).status == 404)
            for path in ["/images?page=922337203685477582", "/images/\(id)/variants?page=922337203685477582&limit=100"] {
                let page = try await h.request(.GET, path, headers: alice.auth)
                #expect(page.status == 422, "\(path): \(page.status)")
                #expect(((try? page.json()["errors"] as? [[String: Any]]) ?? [])?.first?["field"] as? String == "page", "\(path)")
            }
        }
    }

    @Test func corsIsForListedOriginsOnly() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let preflight = [("Origin", Self.app), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "authorization,content-type")]
            let allowed = try await h.request(.OPTIONS, "/images", headers: preflight)
            #expect(allowed.status == 204)
            #expect(allowed.header("access-control-allow-origin") == Self.app)
            #expect(allowed.header("access-control-allow-methods")?.contains("POST") == true)
            #expect(allowed.header("access-control-allow-headers")?.contains("authorization") == true)
            #expect(allowed.header("access-control-max-age") == "600")
            let other = try await h.request(.OPTIONS, "/images", headers: [("Origin", "https://evil.example")] + preflight.dropFirst())
            #expect(other.header("access-control-allow-origin") == nil)

            let listed = try await h.request(.GET, "/images", headers: alice.auth + [("Origin", Self.app)])
            #expect(listed.status == 200)
            #expect(listed.header("access-control-allow-origin") == Self.app)
            #expect(listed.header("access-control-expose-headers")?.contains("etag") == true)
            #expect(listed.header("vary")?.contains("Origin") == true)
            // Errors carry them too, so a page can read the problem.
            let refused = try await h.request(.GET, "/images", headers: [("Origin", Self.app)])
            #expect(refused.status == 401 && refused.header("access-control-allow-origin") == Self.app)
            let unlisted = try await h.request(.GET, "/images", headers: alice.auth + [("Origin", "https://evil.example")])
            #expect(unlisted.status == 200 && unlisted.header("access-control-allow-origin") == nil)
            // Same-origin requests (no Origin header, as the gallery's own) need none.
            #expect(try await h.request(.GET, "/images", headers: alice.auth).header("access-control-allow-origin") == nil)
        }
    }

    @Test func weakValidatorsMatchAndUnknownURLParametersAreNamed() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            let etag = try #require(try await h.request(.GET, "/images/\(id)", headers: alice.auth).header("etag"))
            #expect(try await h.request(.GET, "/images/\(id)", headers: alice.auth + [("If-None-Match", "W/\(etag)")]).status == 304)
            let page = try #require(try await h.request(.GET, "/").header("etag"))
            #expect(try await h.request(.GET, "/", headers: [("If-None-Match", "W/\(page)")]).status == 304)

            let refused = try await h.request(.GET, "/images/\(id)/t/w_400?format=png&zoom=2", headers: alice.auth)
            #expect(refused.status == 422)
            let fields = ((try refused.json()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
            #expect(fields == ["format", "zoom"])
            #expect(try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()["total"] as? Int == 0)
            #expect(try await h.request(.GET, "/images/\(id)/t/w_400,fmt_png", headers: alice.auth).header("content-type") == "image/png")
        }
    }

    /// Taking the first frame of an image that has one changes nothing: a 422, and no variant recorded.
    @Test func stillOnAStillImageChangesNothing() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Gulp.png"), filename: "Gulp.png", type: "image/png").json()["id"] as? String)
            let byURL = try await h.request(.GET, "/images/\(id)/t/still", headers: alice.auth)
            #expect(byURL.status == 422, "\(byURL.text)")
            let byJSON = try await t.transform(alice, id, #"{"animated":false}"#)
            #expect(byJSON.status == 422)
            #expect(try byJSON.json()["code"] as? String == "invalid_transformation")
            // Beside a change it is dropped: the same variant as without it.
            let flipped = try await t.transform(alice, id, #"{"flip":true}"#, wait: 20)
            let flippedStill = try await t.transform(alice, id, #"{"flip":true,"animated":false}"#, wait: 20)
            #expect(flippedStill.status == 200)
            #expect(try flippedStill.json()["id"] as? String == (try flipped.json()["id"] as? String))
            #expect(try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()["total"] as? Int == 1)
        }
    }

    /// Eight identical requests at once for a new variant, each with `Prefer: wait=20`: every one answers with
    /// the finished variant (one 201 for the request that made it, 200 for the others), none with a variant
    /// still queued or being made. A bare `Prefer: wait` waits too.
    @Test func everyWaitingRequestWaitsForTheVariantWhoeverMakesIt() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Kleiber_by_Lukas_Baubkus.jpg")).json()["id"] as? String)
            let spec = #"{"resize":{"width":640},"filters":{"sepia":true,"blur":1.5}}"#
            let replies = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let reply = try await t.transform(alice, id, spec, wait: 20)
                        return (reply.status, try reply.json()["status"] as? String)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.1 == "ready" }, "\(replies)")
            #expect(replies.filter { $0.0 == 201 }.count == 1, "\(replies)")
            #expect(replies.filter { $0.0 == 200 }.count == 7, "\(replies)")

            let bare = try await h.request(
                .POST, "/images/\(id)/transform", body: Data(#"{"transformations":{"rotate":90,"filters":{"blur":3}}}"#.utf8),
                headers: alice.auth + [("Content-Type", "application/json"), ("Prefer", "wait")]
            )
            #expect(bare.status == 201, "\(bare.text)")
            #expect(try bare.json()["status"] as? String == "ready")
        }
    }
}
