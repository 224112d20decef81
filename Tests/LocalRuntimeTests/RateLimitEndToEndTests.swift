import Foundation
import NIOHTTP1
import Testing

/// Rate limits through local-runtime, with small allowances configured so they are reached quickly: 429 with
/// `Retry-After` and the `RateLimit` headers, nothing created by a refused request, invalid requests and
/// existing variants free, and another user (or username) unaffected.
@Suite struct RateLimitEndToEndTests {
    typealias I = ImagesEndToEndTests

    func withService(_ body: @Sendable @escaping (RuntimeHarness) async throws -> Void) async throws {
        try await ScratchDatabase.with { url in
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: [
                    "DATABASE_URL": url, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error",
                    "RATE_LIMIT_UPLOADS": "2/min", "RATE_LIMIT_TRANSFORMS": "10/min burst 3", "RATE_LIMIT_LOGINS": "3/min",
                ],
                consumeQueues: true
            ) { h in try await body(h) }
        }
    }

    func expectRateLimited(_ reply: RuntimeHarness.Reply, policy: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(reply.status == 429, "\(reply.status) \(reply.text)", sourceLocation: sourceLocation)
        #expect(try reply.json()["code"] as? String == "rate_limited", sourceLocation: sourceLocation)
        #expect((reply.header("retry-after").flatMap(Int.init) ?? 0) >= 1, sourceLocation: sourceLocation)
        #expect(reply.header("ratelimit-policy")?.hasPrefix("\"\(policy)\";q=") == true, sourceLocation: sourceLocation)
        #expect(reply.header("ratelimit")?.hasPrefix("\"\(policy)\";r=0;t=") == true, sourceLocation: sourceLocation)
    }

    @Test func uploadsAreLimitedPerUserAndARefusedUploadStoresNothing() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice"), bob = try await I.signUp(h, "bob")
            let dune = try I.photo("Dune.jpg")
            // Refused as invalid: costs nothing.
            #expect(try await alice.upload(Data("not an image".utf8), filename: "a.txt", type: "text/plain").status == 415)
            let first = try await alice.upload(dune)
            #expect(first.status == 201)
            #expect(first.header("ratelimit-policy") == "\"uploads\";q=2;w=60")
            #expect(first.header("ratelimit")?.hasPrefix("\"uploads\";r=1;") == true)
            #expect(try await alice.upload(dune).status == 201)
            try expectRateLimited(try await alice.upload(dune), policy: "uploads")
            #expect(try await h.request(.GET, "/images", headers: alice.auth).json()["total"] as? Int == 2)
            // Another user has an allowance of their own.
            #expect(try await bob.upload(dune).status == 201)
            // local-runtime counts the refusal per function.
            #expect(try await h.request(.GET, "/metrics").text.contains(#"rate_limit_refusals_total{function="upload"} 1"#))
        }
    }

    @Test func transformsAreLimitedButExistingVariantsAndInvalidSpecsAreFree() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            let t = TransformEndToEndTests()
            for width in [100, 200, 300] {
                let reply = try await t.transform(alice, id, #"{"resize":{"width":\#(width)}}"#)
                #expect(reply.status == 202)
                #expect(reply.header("ratelimit-policy") == "\"transforms\";q=3;w=18")
            }
            try expectRateLimited(try await t.transform(alice, id, #"{"resize":{"width":400}}"#), policy: "transforms")
            // The same work again is answered from the existing variant; an invalid spec is a 422, not a 429.
            #expect(try await t.transform(alice, id, #"{"resize":{"width":100}}"#).status == 200)
            #expect(try await t.transform(alice, id, #"{"resize":{"width":0}}"#).status == 422)
            #expect(try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()["total"] as? Int == 3)
            // One request in six seconds refills it (10/min): slow enough that the four requests above fit in
            // one refill on a loaded machine.
            try await Task.sleep(for: .milliseconds(6100))
            #expect(try await t.transform(alice, id, #"{"resize":{"width":400}}"#).status == 202)
        }
    }

    @Test func loginAttemptsAreThrottledPerUsernameAndAddress() async throws {
        try await withService { h in
            _ = try await I.signUp(h, "carol")
            _ = try await I.signUp(h, "dave")
            func login(_ user: String, _ password: String) async throws -> RuntimeHarness.Reply {
                try await h.request(
                    .POST, "/login", body: try JSONSerialization.data(withJSONObject: ["username": user, "password": password]),
                    headers: [("Content-Type", "application/json")]
                )
            }
            for _ in 0..<3 { #expect(try await login("carol", "wrong password").status == 401) }
            // The allowance is spent: even the right password waits, and /token shares the allowance.
            try expectRateLimited(try await login("carol", "password of carol"), policy: "logins")
            let token = try await h.request(
                .POST, "/token", body: Data("username=carol&password=password+of+carol".utf8),
                headers: [("Content-Type", "application/x-www-form-urlencoded")]
            )
            try expectRateLimited(token, policy: "logins")
            // Usernames are counted case-insensitively; another username is unaffected.
            try expectRateLimited(try await login("CAROL", "wrong password"), policy: "logins")
            #expect(try await login("dave", "password of dave").status == 200)
        }
    }
}
