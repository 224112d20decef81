import Foundation
import NIOHTTP1
import Testing

/// API keys through local-runtime: made and revoked by a signed-in session, used as `Bearer ifk_...`, each
/// route checking the scope it needs (403 `insufficient_scope` naming it, before any image is looked up),
/// expiry, revocation, another user's key and images, and rate limits counted per user across keys.
@Suite struct APIKeysEndToEndTests {
    typealias I = ImagesEndToEndTests

    func withService(
        _ environment: [String: String] = [:], _ body: @Sendable @escaping (RuntimeHarness) async throws -> Void
    ) async throws {
        try await RuntimeHarness.withImageFunctions(environment, body)
    }

    static let json = [("Content-Type", "application/json")]

    /// A key of the session's user with these scopes: its id and its `Authorization` header.
    static func makeKey(_ s: I.Session, _ scopes: [String], name: String = "server", expiresAt: String? = nil) async throws
        -> (id: String, auth: [(String, String)], reply: [String: Any])
    {
        var body: [String: Any] = ["name": name, "scopes": scopes]
        if let expiresAt { body["expires_at"] = expiresAt }
        let reply = try await s.h.request(.POST, "/api-keys", body: try JSONSerialization.data(withJSONObject: body), headers: s.auth + json)
        #expect(reply.status == 201, "\(reply.text)")
        let object = try reply.json()
        let secret = try #require(object["secret"] as? String)
        return (try #require(object["id"] as? String), [("Authorization", "Bearer \(secret)")], object)
    }

    static func transformBody(_ width: Int) -> Data { Data(#"{"transformations":{"resize":{"width":\#(width)}}}"#.utf8) }

    @Test func aKeyIsShownOnceListedWithoutItsSecretAndCannotManageKeys() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let (id, keyAuth, made) = try await Self.makeKey(alice, ["sign", "images:read", "sign"], name: "thumbnail renderer", expiresAt: "2099-01-31T12:00:00Z")
            let secret = try #require(made["secret"] as? String)
            let prefix = try #require(made["prefix"] as? String)
            #expect(secret.hasPrefix(prefix + "_") && secret.count == 4 + 12 + 1 + 43)
            // Repeats count once; scopes read in one order whatever the body's.
            #expect(made["scopes"] as? [String] == ["images:read", "sign"])
            #expect(made["expires_at"] as? String == "2099-01-31T12:00:00Z")
            #expect(made["last_used_at"] is NSNull)

            let listed = try await h.request(.GET, "/api-keys", headers: alice.auth)
            #expect(listed.status == 200 && listed.header("cache-control") == "no-store")
            let items = try #require(try listed.json()["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["id"] as? String == id && items[0]["prefix"] as? String == prefix)
            #expect(items[0]["secret"] == nil && !listed.text.contains(secret.suffix(43)))

            // A key cannot make, list or revoke keys, nor manage webhooks: a leaked key cannot outlive revocation.
            for (method, path, body) in [
                (HTTPMethod.POST, "/api-keys", #"{"name":"more","scopes":["sign"]}"#), (.GET, "/api-keys", nil), (.DELETE, "/api-keys/\(id)", nil),
                (.GET, "/webhooks", nil), (.POST, "/webhooks", #"{"url":"http://127.0.0.1:9/hook"}"#),
            ] {
                let reply = try await h.request(method, path, body: body.map { Data($0.utf8) }, headers: keyAuth + Self.json)
                #expect(reply.status == 403, "\(method) \(path): \(reply.status) \(reply.text)")
                #expect(try reply.json()["code"] as? String == "insufficient_scope")
            }
            // The key works where its scopes allow, as its user; `last_used_at` says so.
            let me = try await h.request(.GET, "/users/me", headers: keyAuth)
            let meID = try me.json()["id"] as? String
            #expect(me.status == 200 && meID == alice.userID)
            #expect(try await h.request(.GET, "/images", headers: keyAuth).status == 200)
            let after = try await h.request(.GET, "/api-keys", headers: alice.auth).json()["items"] as? [[String: Any]]
            #expect(after?.first?["last_used_at"] is String)
        }
    }

    @Test func everyRouteChecksItsScopeBeforeLookingForTheImage() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let dune = try I.photo("Dune.jpg")
            let image = try #require(try await alice.upload(dune).json()["id"] as? String)
            let reader = try await Self.makeKey(alice, ["images:read"]).auth
            let writer = try await Self.makeKey(alice, ["images:write"]).auth
            let transformer = try await Self.makeKey(alice, ["transform"]).auth
            let signer = try await Self.makeKey(alice, ["sign"]).auth

            // (what, request, the scope it needs)
            typealias Call = (name: String, method: HTTPMethod, path: String, body: Data?, type: String?, scope: String)
            let calls: [Call] = [
                ("list", .GET, "/images", nil, nil, "images:read"),
                ("bytes", .GET, "/images/\(image)", nil, nil, "images:read"),
                ("legacy bytes", .GET, "/image/\(image)", nil, nil, "images:read"),
                ("metadata", .GET, "/images/\(image)/metadata", nil, nil, "images:read"),
                ("variants", .GET, "/images/\(image)/variants", nil, nil, "images:read"),
                ("raw upload", .POST, "/images?filename=d.jpg", dune, "image/jpeg", "images:write"),
                ("base64 upload", .POST, "/images/upload", try JSONSerialization.data(withJSONObject: ["image": dune.base64EncodedString()]), "application/json", "images:write"),
                ("presigned upload", .POST, "/images/uploads", Data(#"{"size_bytes":1000}"#.utf8), "application/json", "images:write"),
                ("queued transform", .POST, "/images/\(image)/transform", Self.transformBody(64), "application/json", "transform"),
                ("URL transform", .GET, "/images/\(image)/t/w_48", nil, nil, "transform"),
                ("sign", .POST, "/images/\(image)/signed-url", Data(#"{"options":"w_40"}"#.utf8), "application/json", "sign"),
            ]
            let keys = ["images:read": reader, "images:write": writer, "transform": transformer, "sign": signer]
            for call in calls {
                for (scope, auth) in keys.sorted(by: { $0.key < $1.key }) {
                    let reply = try await h.request(call.method, call.path, body: call.body, headers: auth + (call.type.map { [("Content-Type", $0)] } ?? []))
                    if scope == call.scope {
                        #expect((200..<300).contains(reply.status), "\(call.name) with \(scope): \(reply.status) \(reply.text.prefix(300))")
                    } else {
                        #expect(reply.status == 403, "\(call.name) with \(scope): \(reply.status) \(reply.text.prefix(300))")
                        let problem = try reply.json()
                        #expect(problem["code"] as? String == "insufficient_scope")
                        #expect((problem["detail"] as? String)?.contains(call.scope) == true, "\(problem)")
                        #expect(reply.header("www-authenticate")?.contains(#"scope="\#(call.scope)""#) == true)
                    }
                }
            }
            // Deleting takes images:write; a key without it gets 403 for its own image, never 404.
            #expect(try await h.request(.DELETE, "/images/\(image)", headers: reader).status == 403)
            #expect(try await h.request(.DELETE, "/images/\(image)", headers: writer).status == 204)
            #expect(try await h.request(.GET, "/images/\(image)/metadata", headers: reader).status == 404)
        }
    }

    @Test func revokedExpiredForeignAndForgedKeysAreRefused() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice"), bob = try await I.signUp(h, "bob")
            let image = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            let (aliceKeyID, aliceKey, made) = try await Self.makeKey(alice, ["images:read"])
            let (_, bobKey, _) = try await Self.makeKey(bob, ["images:read", "images:write"])

            // Bob's key acts for Bob: Alice's image is not found, and it cannot revoke Alice's key.
            #expect(try await h.request(.GET, "/images/\(image)/metadata", headers: bobKey).status == 404)
            #expect(try await h.request(.DELETE, "/api-keys/\(aliceKeyID)", headers: bob.auth).status == 404)
            #expect(try await h.request(.GET, "/images/\(image)/metadata", headers: aliceKey).status == 200)

            // A forged secret with a real prefix, and an unknown prefix, get the same 401.
            let secret = try #require(made["secret"] as? String)
            var forged = Array(secret)
            forged[forged.count - 1] = forged.last == "A" ? "B" : "A"
            let unknownPrefix = "ifk_" + String(repeating: "a", count: 12) + secret.suffix(44)
            var bodies: Set<String> = []
            for candidate in [String(forged), unknownPrefix] {
                let reply = try await h.request(.GET, "/images", headers: [("Authorization", "Bearer \(candidate)")])
                #expect(reply.status == 401 && reply.header("www-authenticate") != nil)
                bodies.insert(try reply.json()["detail"] as? String ?? "")
            }
            #expect(bodies.count == 1, "\(bodies)")

            // Revoked: refused from the next request on.
            #expect(try await h.request(.DELETE, "/api-keys/\(aliceKeyID)", headers: alice.auth).status == 204)
            let revoked = try await h.request(.GET, "/images/\(image)/metadata", headers: aliceKey)
            #expect(revoked.status == 401, "\(revoked.text)")
            #expect(try await h.request(.DELETE, "/api-keys/\(aliceKeyID)", headers: alice.auth).status == 404)

            // Expired: a key that lapses in two seconds works now and not after.
            let soon = Date().addingTimeInterval(2).ISO8601Format(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            let (_, brief, _) = try await Self.makeKey(alice, ["images:read"], expiresAt: soon)
            #expect(try await h.request(.GET, "/images", headers: brief).status == 200)
            try await Task.sleep(for: .milliseconds(2500))
            let expired = try await h.request(.GET, "/images", headers: brief)
            #expect(expired.status == 401 && expired.text.contains("expired"), "\(expired.text)")
        }
    }

    @Test func badKeyRequestsNameEveryField() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let body = #"{"scopes":["images:read","everything",7],"expires_at":"2001-01-01T00:00:00Z","colour":"red"}"#
            let reply = try await h.request(.POST, "/api-keys", body: Data(body.utf8), headers: alice.auth + Self.json)
            #expect(reply.status == 422)
            let fields = Set((try reply.json()["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["colour", "name", "scopes[1]", "scopes[2]", "expires_at"], "\(reply.text)")
            let empty = try await h.request(.POST, "/api-keys", body: Data(#"{"name":"","scopes":[]}"#.utf8), headers: alice.auth + Self.json)
            let emptyFields = Set((try empty.json()["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(empty.status == 422 && emptyFields == ["name", "scopes"], "\(empty.text)")
            #expect(try await h.request(.POST, "/api-keys", body: Data(#"{"name":"x","scopes":["sign"]}"#.utf8), headers: Self.json).status == 401)
        }
    }

    @Test func rateLimitsCountPerUserAcrossKeysAndSessions() async throws {
        try await withService(["RATE_LIMIT_TRANSFORMS": "1/min burst 3"]) { h in
            let alice = try await I.signUp(h, "alice")
            let image = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            let one = try await Self.makeKey(alice, ["transform"]).auth, two = try await Self.makeKey(alice, ["transform"]).auth
            var statuses: [Int] = []
            for (index, auth) in [one, two, alice.auth, one].enumerated() {
                statuses.append(try await h.request(.POST, "/images/\(image)/transform", body: Self.transformBody(30 + index), headers: auth + Self.json).status)
            }
            #expect(statuses == [202, 202, 202, 429], "\(statuses)")
        }
    }
}
