import Crypto
import Foundation
import NIOHTTP1
import Testing

/// Requests an attacker would send: forged tokens of every kind, a body that trickles in, fields a client
/// must not set.
@Suite struct HostileRequestTests {
    typealias I = ImagesEndToEndTests

    /// An HS256 JWT over `claims`, signed with `key`.
    static func jwt(_ claims: [String: Any], key: String, header: [String: Any] = ["alg": "HS256", "typ": "JWT"]) throws -> String {
        func b64(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let signingInput = b64(try JSONSerialization.data(withJSONObject: header)) + "." + b64(try JSONSerialization.data(withJSONObject: claims))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: SymmetricKey(data: Data(key.utf8)))
        return signingInput + "." + b64(Data(mac))
    }

    @Test func forgedAndStaleTokensAreAll401() async throws {
        try await I().withService { h in
            let alice = try await I.signUp(h, "alice")
            let now = Int(Date().timeIntervalSince1970)
            let good: [String: Any] = ["sub": alice.userID, "iss": "imagefunctions", "aud": ["imagefunctions-api"], "iat": now, "exp": now + 600]
            let secret = AccountsEndToEndTests.secret
            // The same construction with the right key is accepted: the refusals below are for their one flaw.
            #expect(try await h.request(.GET, "/users/me", headers: [("Authorization", "Bearer \(try Self.jwt(good, key: secret))")]).status == 200)
            func with(_ changes: [String: Any]) -> [String: Any] { good.merging(changes) { $1 } }
            let forged: [(String, String)] = [
                ("wrong key", try Self.jwt(good, key: String(repeating: "k", count: 40))),
                ("empty key", try Self.jwt(good, key: "")),
                ("alg none", try Self.jwt(good, key: secret, header: ["alg": "none", "typ": "JWT"]).split(separator: ".").prefix(2).joined(separator: ".") + "."),
                ("alg HS512", try Self.jwt(good, key: secret, header: ["alg": "HS512", "typ": "JWT"])),
                ("expired", try Self.jwt(with(["iat": now - 7200, "exp": now - 3600]), key: secret)),
                ("not yet valid", try Self.jwt(with(["nbf": now + 3600]), key: secret)),
                ("issued in the future", try Self.jwt(with(["iat": now + 3600, "exp": now + 7200]), key: secret)),
                ("wrong issuer", try Self.jwt(with(["iss": "someone-else"]), key: secret)),
                ("wrong audience", try Self.jwt(with(["aud": ["another-api"]]), key: secret)),
                ("no expiry", try Self.jwt(good.filter { $0.key != "exp" }, key: secret)),
                ("unknown user", try Self.jwt(with(["sub": UUID().uuidString.lowercased()]), key: secret)),
            ]
            for (name, token) in forged {
                let reply = try await h.request(.GET, "/images", headers: [("Authorization", "Bearer \(token)")])
                #expect(reply.status == 401, "\(name): \(reply.status)")
                #expect(reply.header("www-authenticate")?.hasPrefix("Bearer") == true, "\(name)")
            }
            // A valid token anywhere but the Authorization header counts for nothing.
            #expect(try await h.request(.GET, "/images?access_token=\(alice.token)").status == 401)
            #expect(try await h.request(.GET, "/images?token=\(alice.token)").status == 401)
        }
    }

    @Test func aBodyThatTricklesInGets408AndTheConnectionCloses() async throws {
        try await RuntimeHarness.with(bodyTimeout: .seconds(1)) { h in
            let port = try #require(URLComponents(string: h.baseURL)?.port)
            let connection = try RawHTTPConnection(port: port)
            connection.send(Data("POST /echo/slow HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nonly a little".utf8))
            // The rest of the body never comes: only the body timeout can answer this request.
            let answer = await connection.read(until: "\r\n\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
            #expect(answer.lowercased().contains("connection: close"))
            // The runtime still serves others.
            #expect(try await h.request(.POST, "/echo/fast", body: Data("hello".utf8)).status == 200)
        }
    }

    /// Headers sent a byte at a time: at the header deadline the client gets 408 and the connection is closed.
    /// (Before, each byte restarted the idle timeout and the connection lived as long as the client liked.)
    @Test func headersThatTrickleInGet408AndTheConnectionCloses() async throws {
        try await RuntimeHarness.with(headerTimeout: .seconds(1)) { h in
            let port = try #require(URLComponents(string: h.baseURL)?.port)
            let connection = try RawHTTPConnection(port: port)
            let head = Data("GET /echo/slow HTTP/1.1\r\nHost: x\r\nX-Slow: \(String(repeating: "a", count: 200))\r\n\r\n".utf8)
            let (answer, closedAfter) = await connection.trickle(head, every: .milliseconds(50), for: .seconds(8))
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(200))")
            #expect(answer.lowercased().contains("connection: close"))
            // Answered near the 1 s deadline: not after the 8 s of trickling, the idle timeout or the read's 30 s.
            #expect(closedAfter < .seconds(6), "closed after \(closedAfter)")
            #expect(try await h.request(.POST, "/echo/fast", body: Data("hello".utf8)).status == 200)
        }
    }

    /// A connection that answered one request and then sends nothing keeps working within the idle timeout:
    /// the header deadline counts only while a head is awaited on a new connection.
    @Test func aKeptAliveConnectionIsNotCutByTheHeaderDeadline() async throws {
        try await RuntimeHarness.with(headerTimeout: .seconds(1)) { h in
            let port = try #require(URLComponents(string: h.baseURL)?.port)
            let connection = try RawHTTPConnection(port: port)
            connection.send(Data("POST /echo/fast HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello".utf8))
            #expect(await connection.read(until: "hello").hasPrefix("HTTP/1.1 200"))
            try await Task.sleep(for: .seconds(2))
            connection.send(Data("POST /echo/fast HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nagain".utf8))
            #expect(await connection.read(until: "again").hasPrefix("HTTP/1.1 200"))
        }
    }

    /// Framing the server cannot read is the client's error, a 400, not a failed function.
    @Test func malformedChunkedFramingIsA400() async throws {
        try await RuntimeHarness.with { h in
            let port = try #require(URLComponents(string: h.baseURL)?.port)
            for framing in ["zz\r\nhello\r\n0\r\n\r\n", "5;\u{1}bad\r\nhello\r\n0\r\n\r\n"] {
                let connection = try RawHTTPConnection(port: port)
                connection.send(Data("POST /echo/fast HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\(framing)".utf8))
                let answer = await connection.read(until: "\r\n\r\n")
                #expect(answer.hasPrefix("HTTP/1.1 400"), "\(framing.debugDescription): \(answer)")
            }
        }
    }

    /// A body that ends (FIN) before its framing says it does is the client's error: a 400 or a closed
    /// connection, never a function's failure (502) or a function invoked with half a body.
    @Test func aBodyCutShortByTheClientIsNotAFailedFunction() async throws {
        try await RuntimeHarness.with { h in
            let port = try #require(URLComponents(string: h.baseURL)?.port)
            for (framing, body) in [
                ("Content-Length: 100", "only ten b"),
                ("Transfer-Encoding: chunked", "64\r\nonly ten b"),
            ] {
                let connection = try RawHTTPConnection(port: port)
                connection.send(Data("POST /echo/fast HTTP/1.1\r\nHost: x\r\n\(framing)\r\n\r\n\(body)".utf8))
                connection.finishSending()
                let answer = await connection.read(until: "\r\n\r\n")
                #expect(answer.isEmpty || answer.hasPrefix("HTTP/1.1 400"), "\(framing): \(answer)")
                #expect(!answer.contains(" 502 ") && !answer.contains("200 OK"), "\(framing): \(answer)")
            }
            // Neither reached a function: the one invocation is the whole request after them.
            #expect(try await h.request(.POST, "/echo/fast", body: Data("hello".utf8)).status == 200)
            let metrics = try await h.request(.GET, "/metrics").text
            let invocations = metrics.split(separator: "\n").filter { $0.hasPrefix("function_invocations_total") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
            #expect(invocations == 1, "\(metrics)")
        }
    }

    @Test func fieldsAClientMustNotSetAreRefusedOrIgnored() async throws {
        try await I().withService { h in
            let alice = try await I.signUp(h, "alice"), bob = try await I.signUp(h, "bob")
            let dune = try I.photo("Dune.jpg")
            // JSON bodies have a closed set of fields: owner, status, key and id are refused by name.
            let body = try JSONSerialization.data(withJSONObject: [
                "filename": "dune.jpg", "image": dune.base64EncodedString(), "owner_id": bob.userID, "status": "failed",
                "object_key": "originals/\(bob.userID)/x", "id": UUID().uuidString.lowercased(),
            ])
            let refused = try await h.request(.POST, "/images/upload", body: body, headers: alice.auth + [("Content-Type", "application/json")])
            #expect(refused.status == 422)
            let fields = Set((try refused.json()["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["id", "object_key", "owner_id", "status"])

            // Multipart parts other than the file are ignored: the image is Alice's, ready, under a key of the
            // service's making.
            let boundary = "B\(UUID().uuidString.prefix(8))"
            var multipart = Data()
            for (name, value) in [("owner_id", bob.userID), ("status", "failed"), ("object_key", "originals/\(bob.userID)/x")] {
                multipart += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
            }
            multipart += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dune.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
            multipart += dune + Data("\r\n--\(boundary)--\r\n".utf8)
            let stored = try await h.request(
                .POST, "/images", body: multipart, headers: alice.auth + [("Content-Type", "multipart/form-data; boundary=\(boundary)")]
            )
            #expect(stored.status == 201)
            let image = try stored.json()
            #expect(image["status"] as? String == "ready")
            let id = try #require(image["id"] as? String)
            #expect(try await h.request(.GET, "/images/\(id)", headers: alice.auth).status == 200)
            #expect(try await h.request(.GET, "/images", headers: alice.auth).json()["total"] as? Int == 1)
            #expect(try await h.request(.GET, "/images", headers: bob.auth).json()["total"] as? Int == 0)

            // A transform naming a status or an owner is refused field by field, and nothing is queued.
            let transform = try await h.request(
                .POST, "/images/\(id)/transform", body: Data(#"{"transformations":{"flip":true},"status":"ready","owner_id":"\#(bob.userID)"}"#.utf8),
                headers: alice.auth + [("Content-Type", "application/json")]
            )
            #expect(transform.status == 422)
            let transformFields = Set((try transform.json()["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(transformFields == ["owner_id", "status"])
            #expect(try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()["total"] as? Int == 0)
        }
    }
}
