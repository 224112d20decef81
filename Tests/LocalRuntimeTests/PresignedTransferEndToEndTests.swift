import Crypto
import Foundation
import FunctionRuntime
import Imaging
import Storage
import Testing
@testable import TestSupport

/// Large images never pass through a function on the way in: they go up with a presigned PUT. On the way back
/// they stream (past a buffered answer's 6 MB), or come through a redirect to a presigned GET when asked;
/// end to end through local-runtime with AWS's limits on (its defaults).
@Suite struct PresignedTransferEndToEndTests {
    typealias I = ImagesEndToEndTests

    func withService(
        environment: [String: String] = [:], _ body: @Sendable @escaping (RuntimeHarness, String) async throws -> Void
    ) async throws {
        try await ScratchDatabase.with { url in
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: ["DATABASE_URL": url, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error"]
                    .merging(environment) { $1 },
                consumeQueues: true
            ) { h in try await body(h, url) }
        }
    }

    static func json(_ object: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: object) }

    /// `POST /images/uploads`, then the PUT to the URL it gives, with the headers it names.
    static func presignedUpload(_ s: I.Session, _ bytes: Data, filename: String) async throws -> [String: Any] {
        let started = try await s.h.request(
            .POST, "/images/uploads", body: try json(["size_bytes": bytes.count, "filename": filename]),
            headers: s.auth + [("Content-Type", "application/json")]
        )
        #expect(started.status == 201, "\(started.text)")
        let answer = try started.json()
        let url = try #require(answer["upload_url"] as? String)
        let headers = try #require(answer["headers"] as? [String: String])
        #expect(headers["content-length"] == String(bytes.count))
        let put = try await RuntimeHarness.fetch(url, method: .PUT, body: bytes, headers: [("Content-Type", "image/png")])
        #expect(put.status == 200)
        return answer
    }

    @Test func aTwentyMegabytePhotoGoesUpPresignedIsTransformedAndComesBackStreamedOrByRedirect() async throws {
        // A PNG of Kleiber of about 20 MB: over every limit of a direct request, under the 25 MB image limit.
        let kleiber = [UInt8](try I.photo("Kleiber_by_Lukas_Baubkus.jpg"))
        let (png, decoded) = try TestImages.transform(kleiber, #"{"resize":{"width":3900},"format":"png"}"#)
        let bytes = Data(png.bytes)
        try #require(bytes.count > 15_000_000 && bytes.count < 25_000_000, "the test photo is \(bytes.count) bytes")

        try await withService { h, _ in
            let alice = try await I.signUp(h, "alice")
            // The direct route cannot take it: the gateway refuses the body, pointing at the presigned route.
            let direct = try await h.request(.POST, "/images", body: bytes, headers: alice.auth + [("Content-Type", "image/png")])
            #expect(direct.status == 413)
            #expect((try direct.json()["detail"] as? String)?.contains("/images/uploads") == true)

            let upload = try await Self.presignedUpload(alice, bytes, filename: "kleiber.png")
            let uploadID = try #require(upload["id"] as? String)
            #expect(upload["method"] as? String == "PUT")
            #expect(upload["max_bytes"] as? Int == 25_000_000)
            #expect((upload["upload_url"] as? String)?.contains("X-Amz-SignedHeaders=content-length%3Bhost") == true)
            let completeURL = try #require(upload["complete_url"] as? String)
            #expect(completeURL == "/images/uploads/\(uploadID)/complete")

            let completed = try await h.request(.POST, completeURL, headers: alice.auth)
            #expect(completed.status == 201, "\(completed.text)")
            let image = try completed.json()
            let id = try #require(image["id"] as? String)
            #expect(completed.header("location") == "/images/\(id)")
            #expect(image["format"] as? String == "png" && image["filename"] as? String == "kleiber.png")
            #expect(image["width"] as? Int == decoded.width && image["height"] as? Int == decoded.height)
            // The staging object is gone; completing again answers the same image.
            #expect(try await RuntimeHarness.objectStore().objectSize(key: "uploads/\(alice.userID)/\(uploadID)") == nil)
            let again = try await h.request(.POST, completeURL, headers: alice.auth)
            #expect(again.status == 200)
            #expect(try again.json()["id"] as? String == id)

            // Transformed by the queue, still a large PNG.
            let transformed = try await h.request(
                .POST, "/images/\(id)/transform", body: Data(#"{"transformations":{"flip":true}}"#.utf8),
                headers: alice.auth + [("Content-Type", "application/json"), ("Prefer", "wait=25")]
            )
            #expect(transformed.status == 201, "\(transformed.text)")
            let variant = try transformed.json()
            let variantID = try #require(variant["id"] as? String)
            let variantSize = try #require(variant["size_bytes"] as? Int)
            #expect(variantSize > LambdaLimits.maxInlineResponseBytes)

            // Too large for a buffered answer, streamed whole: raw bytes, framed by their length.
            let streamed = try await h.request(.GET, "/images/\(variantID)", headers: alice.auth)
            #expect(streamed.status == 200)
            #expect(streamed.body.count == variantSize)
            #expect(streamed.header("content-length") == String(variantSize))
            #expect(streamed.header("content-type") == "image/png")
            #expect(streamed.header("etag") == "\"\(SHA256.hash(data: streamed.body).map { String(format: "%02x", $0) }.joined())\"")
            // Passed on from the store as it arrives (too large for the object cache); a HEAD reads nothing of it.
            let head = try await h.request(.HEAD, "/images/\(variantID)", headers: alice.auth)
            #expect(head.status == 200 && head.body.isEmpty && head.header("content-length") == String(variantSize))

            // Or, asked for, a redirect to a presigned GET that needs no credentials.
            let redirect = try await h.request(.GET, "/images/\(variantID)?redirect=1", headers: alice.auth)
            #expect(redirect.status == 302)
            #expect(redirect.header("cache-control") == "private, no-store")
            let etag = try #require(redirect.header("etag"))
            let location = try #require(redirect.header("location"))
            #expect(location.hasPrefix(try #require(ProcessInfo.processInfo.environment["S3_ENDPOINT"])))
            #expect(location.contains("response-content-type=image%2Fpng"))
            #expect(location.contains("response-content-disposition=inline%3B%20filename%3D%22kleiber.png%22"))
            let fetched = try await RuntimeHarness.fetch(location)
            #expect(fetched.status == 200)
            #expect(fetched.body.count == variantSize)
            // The store answers with the signed response headers, as S3 does (moto, before, ignored them).
            #expect(fetched.header("content-type") == "image/png")
            #expect(fetched.header("content-disposition")?.hasPrefix(#"inline; filename="kleiber.png""#) == true)
            #expect(etag == streamed.header("etag"))
            #expect(fetched.body == streamed.body)
            let back = try TestImages.decode([UInt8](fetched.body))
            #expect(back.format == .png && back.width == decoded.width && back.height == decoded.height)
            // The top-left pixel of the flipped image is the bottom-left one of the upload.
            let source = try TestImages.decode(png.bytes)
            #expect(zip(back.pixel(0, 0), source.pixel(0, decoded.height - 1)).allSatisfy { abs($0 - $1) < 1 })

            // ETags still answer 304 without a redirect.
            let notModified = try await h.request(.GET, "/images/\(variantID)", headers: alice.auth + [("If-None-Match", etag)])
            #expect(notModified.status == 304)
        }
    }

    @Test func smallImagesComeInlineUnlessARedirectIsAskedFor() async throws {
        try await withService { h, _ in
            let alice = try await I.signUp(h, "alice")
            let dune = try I.photo("Dune.jpg")
            let id = try #require(try await alice.upload(dune, filename: "Dune café.jpg").json()["id"] as? String)
            let inline = try await h.request(.GET, "/images/\(id)", headers: alice.auth)
            // (The stored original is Dune without its metadata: the same bytes either way.)
            #expect(inline.status == 200 && inline.body.prefix(3) == Data([0xFF, 0xD8, 0xFF]))

            let redirect = try await h.request(.GET, "/images/\(id)?redirect=1", headers: alice.auth)
            #expect(redirect.status == 302)
            let location = try #require(redirect.header("location"))
            // The display name with its exact UTF-8 form, and an ASCII fallback.
            #expect(location.contains("filename%2A%3DUTF-8%27%27Dune%2520caf%25C3%25A9.jpg"))
            #expect(location.contains("filename%3D%22Dune%20caf_.jpg%22"))
            #expect(try await RuntimeHarness.fetch(location).body == inline.body)
            // A conversion redirects too, with the converted type and extension.
            let converted = try await h.request(.GET, "/images/\(id)?format=webp&redirect=true", headers: alice.auth)
            #expect(converted.status == 302)
            let webp = try #require(converted.header("location"))
            #expect(webp.contains("response-content-type=image%2Fwebp") && webp.contains("Dune%20caf_.webp"))
            #expect(try await RuntimeHarness.fetch(webp).body.prefix(4) == Data("RIFF".utf8))

            let bad = try await h.request(.GET, "/images/\(id)?redirect=maybe", headers: alice.auth)
            #expect(bad.status == 422)
            #expect((try bad.json()["errors"] as? [[String: Any]])?.first?["field"] as? String == "redirect")
            // Another user's image is not found, redirect or not.
            let bob = try await I.signUp(h, "bob")
            #expect(try await h.request(.GET, "/images/\(id)?redirect=1", headers: bob.auth).status == 404)
        }
    }

    @Test func presignedUploadsAreRefusedClearlyAndLoseNothing() async throws {
        try await withService { h, _ in
            let alice = try await I.signUp(h, "alice")
            let bob = try await I.signUp(h, "bob")
            func start(_ body: String) async throws -> RuntimeHarness.Reply {
                try await h.request(.POST, "/images/uploads", body: Data(body.utf8), headers: alice.auth + [("Content-Type", "application/json")])
            }
            #expect(try await start(#"{"size_bytes": 25000001}"#).status == 413)
            let invalid = try await start(#"{"size_bytes": "big", "name": "x"}"#)
            #expect(invalid.status == 422)
            let fields = Set(((try invalid.json()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            #expect(fields == ["size_bytes", "name"])
            #expect(try await start(#"{}"#).status == 422)
            #expect(try await h.request(.POST, "/images/uploads", body: Data(#"{"size_bytes":1}"#.utf8), headers: [("Content-Type", "application/json")]).status == 401)

            // Completed before anything was PUT: 409, and the upload can still be used.
            let text = Data("this is not an image, whatever its name says".utf8)
            let started = try await start(#"{"size_bytes": \#(text.count), "filename": "fake.png"}"#).json()
            let uploadID = try #require(started["id"] as? String)
            let complete = "/images/uploads/\(uploadID)/complete"
            let early = try await h.request(.POST, complete, headers: alice.auth)
            #expect(early.status == 409)
            #expect(try early.json()["code"] as? String == "upload_not_received")

            // Not an image: 415, and the bytes are deleted.
            let put = try await RuntimeHarness.fetch(try #require(started["upload_url"] as? String), method: .PUT, body: text)
            #expect(put.status == 200)
            #expect(try await h.request(.POST, complete, headers: bob.auth).status == 404)  // not Bob's
            let refused = try await h.request(.POST, complete, headers: alice.auth)
            #expect(refused.status == 415)
            #expect(try refused.json()["code"] as? String == "unsupported_format")
            #expect(try await RuntimeHarness.objectStore().objectSize(key: "uploads/\(alice.userID)/\(uploadID)") == nil)
            #expect(try await h.request(.GET, "/images", headers: alice.auth).json()["total"] as? Int == 0)

            // Another length than the declared one is refused by the store at the PUT (it is signed), so the
            // completion finds nothing; bytes of another length that reach the key another way (the service's
            // own credentials here) are refused at completion too. The same upload, PUT again with the declared
            // bytes while its URL lasts, then completes.
            let gulp = try I.photo("Gulp.png")
            let retried = try await start(#"{"size_bytes": \#(gulp.count), "filename": "gulp.png"}"#).json()
            let retriedURL = try #require(retried["upload_url"] as? String)
            let retriedComplete = try #require(retried["complete_url"] as? String)
            #expect(try await RuntimeHarness.fetch(retriedURL, method: .PUT, body: gulp.prefix(1000)).status == 403)
            let nothing = try await h.request(.POST, retriedComplete, headers: alice.auth)
            #expect(nothing.status == 409)
            #expect(try nothing.json()["code"] as? String == "upload_not_received")
            let retriedKey = "uploads/\(alice.userID)/\(try #require(retried["id"] as? String))"
            try await RuntimeHarness.objectStore().putObject(key: retriedKey, body: gulp.prefix(1000), contentType: "image/png")
            let mismatched = try await h.request(.POST, retriedComplete, headers: alice.auth)
            #expect(mismatched.status == 422)
            #expect((try mismatched.json()["errors"] as? [[String: Any]])?.first?["field"] as? String == "size_bytes")
            #expect(try await RuntimeHarness.fetch(retriedURL, method: .PUT, body: gulp).status == 200)
            let done = try await h.request(.POST, retriedComplete, headers: alice.auth)
            #expect(done.status == 201)
            #expect(try done.json()["filename"] as? String == "gulp.png")
            #expect(try await h.request(.GET, "/images", headers: alice.auth).json()["total"] as? Int == 1)
            #expect(try await h.request(.POST, "/images/uploads/not-a-uuid/complete", headers: alice.auth).status == 404)
        }
    }

    /// An upload never completed: once its URL has expired and the grace period passed, the sweeper forgets
    /// it and deletes its bytes. A bucket of its own, as the orphan sweep deletes what its database does not know.
    @Test func theSweeperRemovesExpiredUploads() async throws {
        try await RuntimeHarness.withBucket("sweep") { store in
            let environment = ["S3_BUCKET": store.settings.bucket, "S3_PRESIGN_UPLOAD_SECONDS": "1", "SWEEP_ORPHANS_AFTER_SECONDS": "0"]
            try await withService(environment: environment) { h, _ in
                let alice = try await I.signUp(h, "alice")
                let dune = try I.photo("Dune.jpg")
                let started = try await h.request(
                    .POST, "/images/uploads", body: try Self.json(["size_bytes": dune.count, "filename": "late.jpg"]),
                    headers: alice.auth + [("Content-Type", "application/json")]
                )
                let upload = try started.json()
                let key = "uploads/\(alice.userID)/\(try #require(upload["id"] as? String))"
                // The bytes go in directly rather than through the URL: a one-second URL may already have expired
                // on a loaded machine (X-Amz-Date has whole seconds), and what is tested here is the sweep.
                try await store.putObject(key: key, body: dune, contentType: "image/jpeg")
                #expect(try await store.objectSize(key: key) != nil)
                try await Task.sleep(for: .milliseconds(1500))
                let report = try JSONSerialization.jsonObject(with: try await h.runtime.invoke("sweeper")) as? [String: Any]
                #expect(report?["uploads_expired"] as? Int == 1)
                #expect(try await store.objectSize(key: key) == nil)
                #expect(try await h.request(.POST, try #require(upload["complete_url"] as? String), headers: alice.auth).status == 404)
            }
        }
    }
}

