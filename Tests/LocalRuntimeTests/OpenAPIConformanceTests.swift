import ChildProcess
import Foundation
import NIOHTTP1
import Testing

/// The OpenAPI document the service serves describes the service's real responses: a walk through every
/// route family records status, content type and body, and jsonschema checks them against the document.
@Suite(.serialized) struct OpenAPIConformanceTests {
    typealias I = ImagesEndToEndTests

    @Test func realResponsesConformToTheServedDocument() async throws {
        try await ScratchDatabase.with { url in
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: ["DATABASE_URL": url, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error"],
                consumeQueues: true
            ) { h in
                var samples: [[String: Any]] = []
                func record(_ method: HTTPMethod, _ template: String, _ path: String, body: Data? = nil, headers: [(String, String)] = []) async throws -> RuntimeHarness.Reply {
                    let reply = try await h.request(method, path, body: body, headers: headers)
                    let type = reply.header("content-type") ?? ""
                    let isJSON = type.contains("json")
                    let body = isJSON && !reply.body.isEmpty ? try JSONSerialization.jsonObject(with: reply.body, options: .fragmentsAllowed) : NSNull()
                    samples.append(["method": method.rawValue, "path": template, "status": reply.status, "content_type": type, "body": body])
                    return reply
                }
                let json = [("Content-Type", "application/json")]
                let document = try await record(.GET, "/openapi.json", "/openapi.json")
                _ = try await record(.GET, "/healthz", "/healthz")
                _ = try await record(.GET, "/", "/")
                _ = try await record(.GET, "/gallery/{file}", "/gallery/app.js")
                _ = try await record(.GET, "/gallery/{file}", "/gallery/style.css")
                _ = try await record(.GET, "/gallery/{file}", "/gallery/nope.js")
                _ = try await record(.POST, "/register", "/register", body: Data(#"{"username":"olga","password":"olgas password"}"#.utf8), headers: json)
                _ = try await record(.POST, "/register", "/register", body: Data(#"{"username":"OLGA","password":"olgas password"}"#.utf8), headers: json)
                _ = try await record(.POST, "/register", "/register", body: Data(#"{"username":"x"}"#.utf8), headers: json)
                let login = try await record(.POST, "/login", "/login", body: Data(#"{"username":"olga","password":"olgas password"}"#.utf8), headers: json)
                _ = try await record(.POST, "/login", "/login", body: Data(#"{"username":"olga","password":"wrong password"}"#.utf8), headers: json)
                _ = try await record(.POST, "/users/", "/users/", body: Data(#"{"email":"p@example.com","plain_password":"p password"}"#.utf8), headers: json)
                _ = try await record(.POST, "/token", "/token", body: Data("username=olga&password=olgas+password".utf8), headers: [("Content-Type", "application/x-www-form-urlencoded")])
                let token = try #require(try login.json()["token"] as? String)
                let auth = [("Authorization", "Bearer \(token)")]
                _ = try await record(.GET, "/users/me", "/users/me", headers: auth)
                _ = try await record(.GET, "/users/me", "/users/me")
                let upload = try await record(.POST, "/images", "/images?filename=dune.jpg", body: try I.photo("Dune.jpg"), headers: auth + [("Content-Type", "image/jpeg")])
                _ = try await record(.POST, "/images", "/images", body: Data("text".utf8), headers: auth + [("Content-Type", "image/jpeg")])
                let b64 = try JSONSerialization.data(withJSONObject: ["image": try I.photo("Gulp.png").base64EncodedString()])
                _ = try await record(.POST, "/images/upload", "/images/upload", body: b64, headers: auth + json)
                let id = try #require(try upload.json()["id"] as? String, "\(upload.status) \(upload.text)")
                _ = try await record(.GET, "/images", "/images?limit=1", headers: auth)
                _ = try await record(.GET, "/images", "/images?limit=0", headers: auth)
                _ = try await record(.GET, "/images/{id}/metadata", "/images/\(id)/metadata", headers: auth)
                _ = try await record(.GET, "/images/{id}", "/images/\(id)", headers: auth)
                _ = try await record(.GET, "/images/{id}", "/images/00000000-0000-0000-0000-000000000000", headers: auth)
                _ = try await record(.GET, "/images/{id}", "/images/\(id)?redirect=1", headers: auth)
                _ = try await record(.GET, "/image/{id}", "/image/\(id)?redirect=true", headers: auth)
                _ = try await record(.GET, "/images/{id}", "/images/\(id)?redirect=perhaps", headers: auth)
                let gulp = try I.photo("Gulp.png")
                let started = try await record(.POST, "/images/uploads", "/images/uploads", body: Data(#"{"size_bytes":\#(gulp.count),"filename":"g.png"}"#.utf8), headers: auth + json)
                _ = try await record(.POST, "/images/uploads", "/images/uploads", body: Data(#"{"size_bytes":30000000}"#.utf8), headers: auth + json)
                _ = try await record(.POST, "/images/uploads", "/images/uploads", body: Data(#"{"size":1}"#.utf8), headers: auth + json)
                let complete = try #require(try started.json()["complete_url"] as? String)
                _ = try await record(.POST, "/images/uploads/{id}/complete", complete, headers: auth)
                _ = try await RuntimeHarness.fetch(try #require(try started.json()["upload_url"] as? String), method: .PUT, body: gulp)
                _ = try await record(.POST, "/images/uploads/{id}/complete", complete, headers: auth)
                _ = try await record(.POST, "/images/uploads/{id}/complete", complete, headers: auth)
                _ = try await record(.POST, "/images/uploads/{id}/complete", "/images/uploads/00000000-0000-0000-0000-000000000000/complete", headers: auth)
                // A webhook nobody answers (the discard port refuses), so its deliveries record failed attempts.
                let hook = try await record(.POST, "/webhooks", "/webhooks", body: Data(#"{"url":"http://127.0.0.1:9/hook","description":"nobody"}"#.utf8), headers: auth + json)
                _ = try await record(.POST, "/webhooks", "/webhooks", body: Data(#"{"url":"ftp://x","events":["image.gone"]}"#.utf8), headers: auth + json)
                _ = try await record(.POST, "/webhooks", "/webhooks", body: Data(#"{"url":"http://127.0.0.1:9/hook"}"#.utf8), headers: json)
                let hookID = try #require(try hook.json()["id"] as? String, "\(hook.status) \(hook.text)")
                let spec = Data(#"{"transformations":{"resize":{"width":100},"watermark":{"text":"hi"}}}"#.utf8)
                _ = try await record(.POST, "/images/{id}/transform", "/images/\(id)/transform", body: spec, headers: auth + json + [("Prefer", "wait=20")])
                _ = try await record(.POST, "/images/{id}/transform", "/images/\(id)/transform", body: spec, headers: auth + json)
                _ = try await record(.POST, "/images/{id}/transform", "/images/\(id)/transform", body: Data(#"{"transformations":{"rotate":"x"}}"#.utf8), headers: auth + json)
                _ = try await record(.POST, "/images/{id}/transform", "/images/\(id)/transform", body: Data(#"{"transformations":{"flip":true}}"#.utf8), headers: auth + json)
                let byURL = "/images/{id}/t/{options}"
                _ = try await record(.GET, byURL, "/images/\(id)/t/w_120,gray", headers: auth)
                _ = try await record(.GET, byURL, "/images/\(id)/t/w_0,zoom_2", headers: auth)
                _ = try await record(.GET, byURL, "/images/\(id)/t/w_120")
                let signed = try await record(.POST, "/images/{id}/signed-url", "/images/\(id)/signed-url", body: Data(#"{"options":"w_90"}"#.utf8), headers: auth + json)
                _ = try await record(.POST, "/images/{id}/signed-url", "/images/\(id)/signed-url", body: Data(#"{"expires_in":0}"#.utf8), headers: auth + json)
                let signedURL = try #require(try signed.json()["url"] as? String)
                _ = try await record(.GET, byURL, signedURL)
                _ = try await record(.GET, byURL, signedURL.replacingOccurrences(of: "w_90", with: "w_91"))
                _ = try await record(.GET, "/images/{id}/variants", "/images/\(id)/variants", headers: auth)
                _ = try await record(.GET, "/webhooks", "/webhooks", headers: auth)
                _ = try await record(.GET, "/usage", "/usage", headers: auth)
                _ = try await record(.POST, "/images/{id}/preview", "/images/\(id)/preview", body: Data(#"{"transformations":{"resize":{"width":64}}}"#.utf8), headers: auth + json)
                _ = try await record(.POST, "/images/{id}/preview", "/images/\(id)/preview", body: Data(#"{"transformations":{"resize":{"width":0}}}"#.utf8), headers: auth + json)
                _ = try await record(.GET, "/usage", "/usage")
                let deliveries = "/webhooks/\(hookID)/deliveries"
                // An attempt recorded, so the sample below exercises the attempts' schema (times included).
                #expect(await h.eventually(timeout: .seconds(15)) {
                    let items = (try? await h.request(.GET, deliveries, headers: auth).json()["items"] as? [[String: Any]]) ?? []
                    return items.contains { !(($0["attempts"] as? [Any]) ?? []).isEmpty }
                })
                _ = try await record(.GET, "/webhooks/{id}/deliveries", deliveries + "?limit=5", headers: auth)
                _ = try await record(.GET, "/webhooks/{id}/deliveries", deliveries + "?limit=x", headers: auth)
                _ = try await record(.GET, "/webhooks/{id}/deliveries", "/webhooks/00000000-0000-0000-0000-000000000000/deliveries", headers: auth)
                _ = try await record(.DELETE, "/webhooks/{id}", "/webhooks/\(hookID)", headers: auth)
                _ = try await record(.DELETE, "/webhooks/{id}", "/webhooks/\(hookID)", headers: auth)
                let made = try await record(.POST, "/api-keys", "/api-keys", body: Data(#"{"name":"renderer","scopes":["images:read","sign"],"expires_at":"2099-01-01T00:00:00Z"}"#.utf8), headers: auth + json)
                _ = try await record(.POST, "/api-keys", "/api-keys", body: Data(#"{"scopes":["everything"]}"#.utf8), headers: auth + json)
                let keyID = try #require(try made.json()["id"] as? String, "\(made.status) \(made.text)")
                let keyAuth = [("Authorization", "Bearer \(try #require(try made.json()["secret"] as? String))")]
                _ = try await record(.GET, "/images", "/images", headers: keyAuth)
                _ = try await record(.DELETE, "/images/{id}", "/images/\(id)", headers: keyAuth)
                _ = try await record(.GET, "/api-keys", "/api-keys", headers: keyAuth)
                _ = try await record(.GET, "/api-keys", "/api-keys", headers: auth)
                _ = try await record(.DELETE, "/api-keys/{id}", "/api-keys/\(keyID)", headers: auth)
                _ = try await record(.DELETE, "/api-keys/{id}", "/api-keys/\(keyID)", headers: auth)
                _ = try await record(.GET, "/images", "/images", headers: keyAuth)
                _ = try await record(.DELETE, "/images/{id}", "/images/\(id)", headers: auth)

                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: dir) }
                try document.body.write(to: dir.appendingPathComponent("openapi.json"))
                try JSONSerialization.data(withJSONObject: samples).write(to: dir.appendingPathComponent("samples.json"))
                let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("openapi_check.py")
                let result = try await ChildProcess.run(
                    "/usr/bin/env",
                    ["python3", script.path, dir.appendingPathComponent("openapi.json").path, dir.appendingPathComponent("samples.json").path],
                    output: .captureMerged
                )
                let text = result.text
                #expect(result.status == 0, "\(text)")
                #expect(text.contains("\(samples.count) responses checked, 0 problems"), "\(text)")
            }
        }
    }
}
