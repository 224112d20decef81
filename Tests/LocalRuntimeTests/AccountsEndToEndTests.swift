import Foundation
import NIOHTTP1
import Testing

/// Accounts through local-runtime and the real image-functions binary, on a scratch database migrated by the
/// real `migrate` function: both route families (roadmap.sh and the original FastAPI service) and both token
/// styles.
@Suite struct AccountsEndToEndTests {
    static let secret = "test-secret-that-is-at-least-32-bytes-long"

    func withService(_ body: @Sendable @escaping (RuntimeHarness) async throws -> Void) async throws {
        try await ScratchDatabase.with { url in
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: ["DATABASE_URL": url, "JWT_SECRET": Self.secret, "LOG_LEVEL": "error"]
            ) { h in try await body(h) }
        }
    }

    func json(_ object: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: object) }
    let jsonType = [("Content-Type", "application/json")]

    @Test func registerLoginAndMe() async throws {
        try await withService { h in
            let name = "Alice-\(UUID().uuidString.prefix(6))"
            let registered = try await h.request(.POST, "/register", body: try json(["username": name, "password": "correct horse"]), headers: jsonType)
            #expect(registered.status == 201)
            let session = try registered.json()
            let user = try #require(session["user"] as? [String: Any])
            #expect(user["username"] as? String == name)
            #expect(Set(user.keys) == ["id", "username", "created_at"])
            #expect(session["token_type"] as? String == "Bearer")
            #expect(session["expires_in"] as? Int == 3600)
            #expect(!registered.text.lowercased().contains("argon2") && !registered.text.contains("correct horse"))

            // Usernames compare case-insensitively: taken in any case, and login works in any case.
            let again = try await h.request(.POST, "/register", body: try json(["username": name.uppercased(), "password": "another one"]), headers: jsonType)
            #expect(again.status == 409)
            #expect(try again.json()["code"] as? String == "username_taken")
            let login = try await h.request(.POST, "/login", body: try json(["username": name.lowercased(), "password": "correct horse"]), headers: jsonType)
            #expect(login.status == 200)
            let token = try #require(try login.json()["token"] as? String)

            let me = try await h.request(.GET, "/users/me", headers: [("Authorization", "Bearer \(token)")])
            #expect(me.status == 200)
            #expect(try me.json()["username"] as? String == name)
        }
    }

    @Test func wrongPasswordAndUnknownUserLookTheSame() async throws {
        try await withService { h in
            _ = try await h.request(.POST, "/register", body: try json(["username": "bob", "password": "bobs password"]), headers: jsonType)
            let wrong = try await h.request(.POST, "/login", body: try json(["username": "bob", "password": "not his password"]), headers: jsonType)
            let unknown = try await h.request(.POST, "/login", body: try json(["username": "nobody-here", "password": "not his password"]), headers: jsonType)
            #expect(wrong.status == 401 && unknown.status == 401)
            #expect(wrong.body == unknown.body)
            #expect(wrong.header("www-authenticate")?.hasPrefix("Bearer") == true)
        }
    }

    @Test func originalServiceRoutesAndOAuth2Token() async throws {
        try await withService { h in
            let created = try await h.request(.POST, "/users/", body: try json(["email": "carol@example.com", "plain_password": "carols secret"]), headers: jsonType)
            #expect(created.status == 201)
            #expect(try created.json()["username"] as? String == "carol@example.com")
            let noSlash = try await h.request(.POST, "/users", body: try json(["email": "dave@example.com", "plain_password": "daves secret"]), headers: jsonType)
            #expect(noSlash.status == 201)

            let form = try await h.request(
                .POST, "/token", body: Data("grant_type=password&username=carol%40example.com&password=carols+secret".utf8),
                headers: [("Content-Type", "application/x-www-form-urlencoded")]
            )
            #expect(form.status == 200)
            let token = try form.json()
            #expect(token["token_type"] as? String == "bearer")
            let access = try #require(token["access_token"] as? String)
            let viaJSON = try await h.request(.POST, "/token", body: try json(["username": "dave@example.com", "password": "daves secret"]), headers: jsonType)
            #expect(viaJSON.status == 200)

            let me = try await h.request(.GET, "/users/me", headers: [("Authorization", "Bearer \(access)")])
            #expect(try me.json()["username"] as? String == "carol@example.com")
            let wrong = try await h.request(.POST, "/token", body: Data("username=carol%40example.com&password=nope+nope+nope".utf8), headers: [("Content-Type", "application/x-www-form-urlencoded")])
            #expect(wrong.status == 401)
        }
    }

    @Test func tokensAreCheckedStrictly() async throws {
        try await withService { h in
            let registered = try await h.request(.POST, "/register", body: try json(["username": "erin", "password": "erins password"]), headers: jsonType)
            let token = try #require(try registered.json()["token"] as? String)
            let parts = token.split(separator: ".").map(String.init)
            // A payload with another subject, keeping the signature: tampered.
            let tampered = parts[0] + "." + parts[1].dropLast(2) + "AA." + parts[2]
            // alg none with the same claims and no signature.
            let none = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "") + "." + parts[1] + "."
            for bad in [tampered, none, "not-a-token", ""] {
                let reply = try await h.request(.GET, "/users/me", headers: [("Authorization", "Bearer \(bad)")])
                #expect(reply.status == 401, "\(bad)")
                #expect(try reply.json()["code"] as? String == "unauthorized")
            }
            // Only the Authorization header counts: not the query string, not a cookie.
            #expect(try await h.request(.GET, "/users/me?access_token=\(token)").status == 401)
            #expect(try await h.request(.GET, "/users/me", headers: [("Cookie", "token=\(token)")]).status == 401)
            #expect(try await h.request(.GET, "/users/me").status == 401)
        }
    }

    @Test func badBodiesAreClear4xx() async throws {
        try await withService { h in
            let invalid = try await h.request(.POST, "/register", body: try json(["password": "short", "admin": true]), headers: jsonType)
            #expect(invalid.status == 422)
            let problem = try invalid.json()
            #expect(problem["code"] as? String == "validation_failed")
            let fields = Set((problem["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["username", "password", "admin"])

            let malformed = try await h.request(.POST, "/register", body: Data("{not json".utf8), headers: jsonType)
            #expect(malformed.status == 400)
            let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
            let tooDeep = try await h.request(.POST, "/register", body: Data(deep.utf8), headers: jsonType)
            #expect(tooDeep.status == 400)
            #expect(try tooDeep.json()["code"] as? String == "bad_request")
            let notObject = try await h.request(.POST, "/login", body: Data("[1,2]".utf8), headers: jsonType)
            #expect(notObject.status == 400)
            // Huge but shallow: a 200 000-element array, refused by size before it is parsed.
            let huge = "[" + Array(repeating: "1", count: 200_000).joined(separator: ",") + "]"
            let tooBig = try await h.request(.POST, "/register", body: Data(huge.utf8), headers: jsonType)
            #expect(tooBig.status == 400)
            #expect(try tooBig.json()["detail"] as? String == "the JSON body is larger than 64 KiB")
        }
    }
}
