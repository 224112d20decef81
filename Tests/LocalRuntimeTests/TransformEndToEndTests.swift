import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Storage
import Testing

/// Transformations through local-runtime: the request queues a job on RabbitMQ, the queue-triggered worker
/// (a real worker process) makes the variant, and the API serves it. Each test's local-runtime has a database
/// and a transform queue of its own.
@Suite struct TransformEndToEndTests {
    typealias I = ImagesEndToEndTests

    func withService(_ body: @Sendable @escaping (RuntimeHarness) async throws -> Void) async throws {
        try await ScratchDatabase.with { url in
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: ["DATABASE_URL": url, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error"],
                consumeQueues: true
            ) { h in try await body(h) }
        }
    }

    func transform(_ s: I.Session, _ id: String, _ json: String, wait: Int? = nil) async throws -> RuntimeHarness.Reply {
        var headers = s.auth + [("Content-Type", "application/json")]
        if let wait { headers.append(("Prefer", "wait=\(wait)")) }
        return try await s.h.request(.POST, "/images/\(id)/transform", body: Data(#"{"transformations":\#(json)}"#.utf8), headers: headers)
    }

    @Test func queuedThenReadyThenServed() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            let queued = try await transform(alice, id, #"{"resize":{"width":400},"rotate":90,"format":"png"}"#)
            #expect(queued.status == 202)
            let variant = try queued.json()
            let variantID = try #require(variant["id"] as? String)
            #expect(variant["source_id"] as? String == id)
            #expect(variant["status"] as? String == "queued")
            #expect(queued.header("location") == "/images/\(variantID)")
            let transformations = try #require(variant["transformations"] as? [String: Any])
            #expect(transformations["rotate"] as? Int == 90)

            // Poll as a client would: 202 until ready, then the bytes.
            var served: RuntimeHarness.Reply?
            #expect(await h.eventually(timeout: .seconds(30)) {
                let reply = try? await h.request(.GET, "/images/\(variantID)", headers: alice.auth)
                if reply?.status == 200 { served = reply; return true }
                return false
            })
            let bytes = try #require(served)
            #expect(bytes.header("content-type") == "image/png")
            let metadata = try await h.request(.GET, "/images/\(variantID)/metadata", headers: alice.auth).json()
            #expect(metadata["status"] as? String == "ready")
            #expect(metadata["width"] as? Int == 250 && metadata["height"] as? Int == 400)  // 400x250, rotated

            // The same spec in another key order and spelling is the same variant: no new work.
            let again = try await transform(alice, id, #"{"format":"png","rotate":450.0,"resize":{"width":400}}"#)
            #expect(again.status == 200)
            #expect(try again.json()["id"] as? String == variantID)
            // A variant can itself be transformed.
            let chained = try await transform(alice, variantID, #"{"filters":{"grayscale":true}}"#, wait: 20)
            #expect(chained.status == 201)
            #expect(try chained.json()["status"] as? String == "ready")
            #expect(try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()["total"] as? Int == 1)
            // Variants are not listed among the originals.
            #expect(try await h.request(.GET, "/images", headers: alice.auth).json()["total"] as? Int == 1)
        }
    }

    @Test func preferWaitAnswersWithTheFinishedImage() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            let done = try await transform(alice, id, #"{"resize":{"width":200,"height":200,"fit":"cover"},"filters":{"sepia":true}}"#, wait: 25)
            #expect(done.status == 201)
            let json = try done.json()
            #expect(json["status"] as? String == "ready")
            #expect(json["width"] as? Int == 200 && json["height"] as? Int == 200)
            let existing = try await transform(alice, id, #"{"filters":{"sepia":true},"resize":{"fit":"cover","height":200,"width":200}}"#, wait: 5)
            #expect(existing.status == 200)
        }
    }

    @Test func invalidTransformationsNameEveryField() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            let bad = try await transform(alice, id, #"{"resize":{"width":0},"rotate":"x","crop":{"x":1600,"y":0,"width":200,"height":10}}"#)
            #expect(bad.status == 422)
            let json = try bad.json()
            #expect(json["code"] as? String == "invalid_transformation")
            let fields = Set((json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
            #expect(fields.isSuperset(of: ["transformations.resize.width", "transformations.rotate"]))
            let outside = try await transform(alice, id, #"{"crop":{"x":1600,"y":0,"width":200,"height":10}}"#)
            #expect(outside.status == 422)
            #expect(try outside.json()["errors"].debugDescription.contains("transformations.crop.width"))
            let sameFormat = try await transform(alice, id, #"{"format":"jpeg"}"#)
            #expect(sameFormat.status == 422)  // changes nothing for a JPEG
            let bob = try await I.signUp(h, "bob")
            #expect(try await transform(bob, id, #"{"flip":true}"#).status == 404)
            #expect(try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()["total"] as? Int == 0)
        }
    }

    @Test func aPipelineRunsInItsOrderAndItsCropsAreCheckedAgainstTheImageBeforeThem() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)  // 1680x1050
            // Resized to 400x250 first: a crop at x = 300 fits that, and (as in the fixed order, where the crop
            // comes first) would fit the source too; at x = 350 it fits only the source, and is refused.
            let outside = try await transform(alice, id, #"{"pipeline":[{"resize":{"width":400}},{"crop":{"x":350,"y":0,"width":100,"height":100}}]}"#)
            #expect(outside.status == 422)
            #expect(try outside.json()["errors"].debugDescription.contains("transformations.pipeline[1].crop"))
            let done = try await transform(
                alice, id, #"{"pipeline":[{"resize":{"width":400}},{"crop":{"x":300,"y":0,"width":100,"height":100}},{"rotate":90}],"format":"png"}"#, wait: 25
            )
            #expect(done.status == 201)
            let json = try done.json()
            #expect(json["width"] as? Int == 100 && json["height"] as? Int == 100)
            let steps = try #require((json["transformations"] as? [String: Any])?["pipeline"] as? [[String: Any]])
            #expect(steps.map { $0.keys.first ?? "" } == ["resize", "crop", "rotate"])
            // The fixed order, written as a pipeline, is the fixed-order variant.
            let fixed = try await transform(alice, id, #"{"resize":{"width":300},"flip":true}"#, wait: 25)
            let asPipeline = try await transform(alice, id, #"{"pipeline":[{"resize":{"width":300}},{"flip":true}]}"#)
            #expect(asPipeline.status == 200)
            #expect(try asPipeline.json()["id"] as? String == (try fixed.json()["id"] as? String))
        }
    }

    @Test func aSourceThatNoLongerDecodesGivesAFailedVariantWithItsReason() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
            // Damage the stored original behind the service's back.
            try await RuntimeHarness.objectStore().putObject(key: "originals/\(alice.userID)/\(id)", body: try I.photo("Dune.jpg").prefix(50_000), contentType: "image/jpeg")

            let reply = try await transform(alice, id, #"{"resize":{"width":300}}"#, wait: 20)
            let variant = try reply.json()
            #expect(variant["status"] as? String == "failed")
            let error = try #require(variant["error"] as? [String: Any])
            #expect(error["code"] as? String == "corrupt_image")
            let variantID = try #require(variant["id"] as? String)
            let bytes = try await h.request(.GET, "/images/\(variantID)", headers: alice.auth)
            #expect(bytes.status == 422)
            #expect(try bytes.json()["code"] as? String == "transformation_failed")
        }
    }

    @Test func aJobForADeletedImageRecreatesNothing() async throws {
        try await withService { h in
            let alice = try await I.signUp(h, "alice")
            let id = try #require(try await alice.upload(try I.photo("Kleiber_by_Lukas_Baubkus.jpg")).json()["id"] as? String)
            let queued = try await transform(alice, id, #"{"resize":{"width":300},"filters":{"blur":2}}"#)
            #expect(queued.status == 202)
            #expect(try await h.request(.DELETE, "/images/\(id)", headers: alice.auth).status == 204)
            try await Task.sleep(for: .seconds(3))  // time for the job to be taken and ended
            #expect(try await PlainS3.nothingListed(under: "variants/\(alice.userID)/\(id)"))
            let variantID = try #require(try queued.json()["id"] as? String)
            #expect(try await h.request(.GET, "/images/\(variantID)/metadata", headers: alice.auth).status == 404)
        }
    }

    @Test func brokerDownIs503AndLeavesNothingHalfDone() async throws {
        try await ScratchDatabase.with { url in
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: [
                    "DATABASE_URL": url, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "critical",
                    "AMQP_URL": "amqp://nobody:nothing@127.0.0.1:1/nowhere",
                    // One transform at a time: a 503 must give its allowance back, or the retry would be a 429.
                    "RATE_LIMIT_TRANSFORMS": "60/min burst 1",
                ]
            ) { h in
                let alice = try await I.signUp(h, "alice")
                let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
                let reply = try await transform(alice, id, #"{"flip":true}"#)
                #expect(reply.status == 503)
                #expect(reply.header("retry-after") != nil)
                #expect(try reply.json()["code"] as? String == "unavailable")
                let retry = try await transform(alice, id, #"{"flip":true}"#)
                #expect(retry.status == 503, "the failed attempt's allowance was not given back: \(retry.status)")
                #expect(try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()["total"] as? Int == 0)
            }
        }
    }
}
