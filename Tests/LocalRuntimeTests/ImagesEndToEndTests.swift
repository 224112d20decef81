import AsyncHTTPClient
import Foundation
import Imaging
import NIOHTTP1
import PostgresNIO
import Testing

/// Uploads, retrieval, listing and deletion through local-runtime and the real binary, on real PostgreSQL
/// and the S3 server.
@Suite struct ImagesEndToEndTests {
    static var testdata: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/testdata")
    }
    static func photo(_ name: String) throws -> Data { try Data(contentsOf: testdata.appendingPathComponent(name)) }

    struct Session {
        let h: RuntimeHarness
        let token: String
        let userID: String
        var auth: [(String, String)] { [("Authorization", "Bearer \(token)")] }

        func upload(_ data: Data, filename: String = "photo.jpg", type: String = "image/jpeg") async throws -> RuntimeHarness.Reply {
            let boundary = "Boundary\(UUID().uuidString.prefix(8))"
            var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
            body += data
            body += Data("\r\n--\(boundary)--\r\n".utf8)
            return try await h.request(.POST, "/images", body: body, headers: auth + [("Content-Type", "multipart/form-data; boundary=\(boundary)")])
        }
    }

    static func signUp(_ h: RuntimeHarness, _ name: String) async throws -> Session {
        let reply = try await h.request(
            .POST, "/register", body: try JSONSerialization.data(withJSONObject: ["username": name, "password": "password of \(name)"]),
            headers: [("Content-Type", "application/json")]
        )
        let json = try reply.json()
        let user = try #require(json["user"] as? [String: Any])
        return Session(h: h, token: try #require(json["token"] as? String), userID: try #require(user["id"] as? String))
    }

    func withService(_ body: @Sendable @escaping (RuntimeHarness) async throws -> Void) async throws {
        try await ScratchDatabase.with { url in
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: ["DATABASE_URL": url, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error"]
            ) { h in try await body(h) }
        }
    }

    @Test func everyUploadPathStoresTheImage() async throws {
        try await withService { h in
            let alice = try await Self.signUp(h, "alice")
            let dune = try Self.photo("Dune.jpg")
            let multipart = try await alice.upload(dune, filename: "../../etc/Dune.jpg")
            #expect(multipart.status == 201)
            let image = try multipart.json()
            #expect(image["filename"] as? String == "Dune.jpg")
            #expect(image["format"] as? String == "jpeg" && image["content_type"] as? String == "image/jpeg")
            #expect(image["width"] as? Int == 1680 && image["height"] as? Int == 1050)
            #expect(image["status"] as? String == "ready")
            #expect(image["source_id"] is NSNull && image["transformations"] is NSNull && image["error"] is NSNull)
            let id = try #require(image["id"] as? String)
            #expect(multipart.header("location") == "/images/\(id)")
            #expect(image["url"] as? String == "/images/\(id)")

            let gulp = try Self.photo("Gulp.png")
            let raw = try await h.request(.POST, "/images?filename=gulp%20copy.png", body: gulp, headers: alice.auth + [("Content-Type", "image/png")])
            #expect(raw.status == 201)
            #expect(try raw.json()["filename"] as? String == "gulp copy.png")
            #expect(try raw.json()["format"] as? String == "png")

            let unnamed = try await h.request(.POST, "/images", body: gulp, headers: alice.auth + [("Content-Type", "image/png")])
            #expect(try unnamed.json()["filename"] as? String == "upload.png")

            let base64 = try JSONSerialization.data(withJSONObject: ["image": dune.base64EncodedString(), "filename": "b64.jpg"])
            let json = try await h.request(.POST, "/images/upload", body: base64, headers: alice.auth + [("Content-Type", "application/json")])
            #expect(json.status == 201)
            #expect(try json.json()["filename"] as? String == "b64.jpg")
        }
    }

    @Test func uploadsAreRefusedClearly() async throws {
        try await withService { h in
            let alice = try await Self.signUp(h, "alice")
            let text = try await alice.upload(Data("not an image at all".utf8), filename: "x.jpg")
            #expect(text.status == 415)
            #expect(try text.json()["code"] as? String == "unsupported_format")
            let empty = try await h.request(.POST, "/images", body: Data(), headers: alice.auth + [("Content-Type", "image/png")])
            #expect(empty.status == 400)
            let badBase64 = try await h.request(.POST, "/images/upload", body: Data(#"{"image": "***"}"#.utf8), headers: alice.auth + [("Content-Type", "application/json")])
            #expect(badBase64.status == 422)
            let noAuth = try await h.request(.POST, "/images", body: try Self.photo("Dune.jpg"), headers: [("Content-Type", "image/jpeg")])
            #expect(noAuth.status == 401)
            let truncated = try await alice.upload(try Self.photo("Dune.jpg").prefix(100_000))
            #expect(truncated.status == 422)
            #expect(try truncated.json()["code"] as? String == "corrupt_image")
            let oversized = try await h.request(.POST, "/images", body: Data(count: 26_000_000), headers: alice.auth + [("Content-Type", "image/jpeg")])
            #expect(oversized.status == 413)
            #expect(try oversized.json()["code"] as? String == "payload_too_large")
            let listed = try await h.request(.GET, "/images", headers: alice.auth)
            #expect(try listed.json()["total"] as? Int == 0)  // nothing refused was stored
        }
    }

    @Test func bytesComeBackWithETagsAndFormats() async throws {
        try await withService { h in
            let alice = try await Self.signUp(h, "alice")
            let id = try #require(try await alice.upload(try Self.photo("Dune.jpg")).json()["id"] as? String)
            let original = try await h.request(.GET, "/images/\(id)", headers: alice.auth)
            #expect(original.status == 200)
            #expect(original.header("content-type") == "image/jpeg")
            #expect(original.header("x-content-type-options") == "nosniff")
            #expect(original.body.prefix(3) == Data([0xFF, 0xD8, 0xFF]))
            let etag = try #require(original.header("etag"))
            let notModified = try await h.request(.GET, "/image/\(id)", headers: alice.auth + [("If-None-Match", etag)])
            #expect(notModified.status == 304)

            let png = try await h.request(.GET, "/images/\(id)?format=png", headers: alice.auth)
            #expect(png.status == 200)
            #expect(png.header("content-type") == "image/png")
            #expect(png.body.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
            #expect(png.header("etag") != etag)
            let again = try await h.request(.GET, "/images/\(id)?format=png", headers: alice.auth)
            #expect(again.header("etag") == png.header("etag"))
            let variants = try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth)
            #expect(try variants.json()["total"] as? Int == 1)  // converted once
            let bad = try await h.request(.GET, "/images/\(id)?format=bmp", headers: alice.auth)
            #expect(bad.status == 422)
        }
    }

    @Test func listingPagesAndSearches() async throws {
        try await withService { h in
            let alice = try await Self.signUp(h, "alice")
            let gulp = try Self.photo("Gulp.png")
            for name in ["Holiday_1.png", "holiday%2.png", "work.png", "HOLIDAY 3.png", "other.png"] {
                _ = try await alice.upload(gulp, filename: name, type: "image/png")
            }
            var seen: [String] = []
            for page in 1...3 {
                let reply = try await h.request(.GET, "/images?page=\(page)&limit=2", headers: alice.auth)
                let json = try reply.json()
                #expect(json["total"] as? Int == 5)
                seen += (json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            }
            #expect(seen.count == 5 && Set(seen).count == 5)  // no duplicates, no gaps
            let bySkip = try await h.request(.GET, "/images?skip=2&limit=2", headers: alice.auth).json()
            #expect((bySkip["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == Array(seen[2..<4]))

            func names(_ q: String) async throws -> Set<String> {
                let json = try await h.request(.GET, "/images?q=\(q)", headers: alice.auth).json()
                return Set((json["items"] as? [[String: Any]] ?? []).compactMap { $0["filename"] as? String })
            }
            #expect(try await names("holiday") == ["Holiday_1.png", "holiday%2.png", "HOLIDAY 3.png"])
            #expect(try await names("%25") == ["holiday%2.png"])  // % is literal
            #expect(try await names("_") == ["Holiday_1.png"])  // _ is literal
            // A NUL (which PostgreSQL text cannot hold) matches nothing rather than failing: found by schemathesis.
            let nul = try await h.request(.GET, "/images?q=a%00b", headers: alice.auth)
            #expect(nul.status == 200)
            #expect(try nul.json()["total"] as? Int == 0)
            #expect(try await h.request(.GET, "/images?limit=0", headers: alice.auth).status == 422)
            #expect(try await h.request(.GET, "/images?limit=1000", headers: alice.auth).json()["limit"] as? Int == 100)
        }
    }

    @Test func anotherUsersImagesAreNotFoundAndUntouched() async throws {
        try await withService { h in
            let alice = try await Self.signUp(h, "alice")
            let bob = try await Self.signUp(h, "bob")
            let id = try #require(try await alice.upload(try Self.photo("Dune.jpg")).json()["id"] as? String)
            // A variant of Alice's too (a format conversion is stored as one), so both kinds of id are tried.
            #expect(try await h.request(.GET, "/images/\(id)?format=png", headers: alice.auth).status == 200)
            let variants = try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()
            let variantID = try #require((variants["items"] as? [[String: Any]])?.first?["id"] as? String)
            for target in [id, variantID] {
                for (method, path) in [(HTTPMethod.GET, "/images/\(target)"), (.GET, "/image/\(target)"), (.GET, "/images/\(target)/metadata"),
                                       (.GET, "/images/\(target)/variants"), (.DELETE, "/images/\(target)"), (.GET, "/images/\(target)?format=webp"),
                                       (.POST, "/images/\(target)/transform")] {
                    let body = method == .POST ? Data(#"{"transformations":{"flip":true}}"#.utf8) : nil
                    let reply = try await h.request(method, path, body: body, headers: bob.auth + [("Content-Type", "application/json")])
                    #expect(reply.status == 404, "\(method) \(path)")
                }
            }
            #expect(try await h.request(.GET, "/images", headers: bob.auth).json()["total"] as? Int == 0)
            #expect(try await h.request(.GET, "/images/\(id)/metadata", headers: alice.auth).status == 200)
            #expect(try await h.request(.GET, "/images/\(variantID)/metadata", headers: alice.auth).status == 200)
            #expect(try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()["total"] as? Int == 1)
            #expect(try await h.request(.GET, "/images/\(variantID)/variants", headers: alice.auth).json()["total"] as? Int == 0)
            #expect(try await h.request(.GET, "/images/not-a-uuid", headers: alice.auth).status == 404)
        }
    }

    @Test func aConversionAlreadyOnTheQueueIsAnsweredWith202AndNotMadeTwice() async throws {
        try await ScratchDatabase.with { url in
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: ["DATABASE_URL": url, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error"]
            ) { h in
                let alice = try await Self.signUp(h, "alice")
                let id = try #require(try await alice.upload(try Self.photo("Dune.jpg")).json()["id"] as? String)
                // `{"format":"png"}` asked for as a transformation, still queued: the same variant `?format=png` makes.
                var spec = TransformationSpec()
                spec.format = .png
                let variant = UUID(), source = try #require(UUID(uuidString: id)), owner = try #require(UUID(uuidString: alice.userID))
                try await ScratchDatabase.execute(url, [
                    """
                    INSERT INTO images (id, owner_id, source_id, spec_hash, transformations, filename, format, content_type, status)
                    VALUES (\(variant), \(owner), \(source), \(spec.hash), \(spec.canonicalJSON)::jsonb, 'Dune.jpg', 'png', 'image/png', 'queued')
                    """,
                ])
                let reply = try await h.request(.GET, "/images/\(id)?format=png", headers: alice.auth)
                #expect(reply.status == 202)
                #expect(try reply.json()["id"] as? String == variant.uuidString.lowercased())
                #expect(reply.header("retry-after") == "1")
                // Nothing was converted beside the job: no object under the variant's key.
                let keys = try await RuntimeHarness.objectStore().listObjects(prefix: "variants/\(alice.userID)/\(id)/").objects
                #expect(keys.isEmpty)
            }
        }
    }

    @Test func deletionRemovesRowsAndStoredObjects() async throws {
        try await withService { h in
            let alice = try await Self.signUp(h, "alice")
            let id = try #require(try await alice.upload(try Self.photo("Dune.jpg")).json()["id"] as? String)
            _ = try await h.request(.GET, "/images/\(id)?format=webp", headers: alice.auth)
            let deleted = try await h.request(.DELETE, "/images/\(id)", headers: alice.auth)
            #expect(deleted.status == 204)
            #expect(try await h.request(.GET, "/images/\(id)", headers: alice.auth).status == 404)
            // Checked on the store itself, without our S3 client: curl's signed GET of the object's path.
            let bucket = ProcessInfo.processInfo.environment["S3_BUCKET"] ?? "images"
            #expect(try await PlainS3.get("\(bucket)/originals/\(alice.userID)/\(id)").status == 404)
            #expect(try await PlainS3.nothingListed(under: "variants/\(alice.userID)/\(id)"))
        }
    }
}
