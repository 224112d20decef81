import Foundation
import NIOHTTP1
import Testing

/// A dependency down for longer than a function's timeout: the functions answer the contract's 503 with
/// Retry-After within a few seconds (each dependency call has its own deadline, well inside the function's),
/// and no worker is killed for it; once the dependency is back, the same workers answer as before.
@Suite struct DependencyOutageEndToEndTests {
    typealias I = ImagesEndToEndTests

    /// What a dependency outage must look like to a client: a prompt 503 `unavailable` with Retry-After.
    static func expectPrompt503(_ h: RuntimeHarness, _ name: String, within limit: Duration, _ call: @Sendable () async throws -> RuntimeHarness.Reply) async throws {
        let started = ContinuousClock.now
        let reply = try await call()
        let took = ContinuousClock.now - started
        #expect(reply.status == 503, "\(name): \(reply.status) \(reply.text.prefix(200))")
        #expect(try reply.json()["code"] as? String == "unavailable", "\(name)")
        #expect(reply.header("retry-after") != nil, "\(name)")
        #expect(took < limit, "\(name) answered after \(took)")
    }

    static func expectNoWorkerRestarted(_ h: RuntimeHarness) async throws {
        let metrics = try await h.request(.GET, "/metrics").text
        let restarts = metrics.split(separator: "\n").filter { $0.hasPrefix("worker_restarts_total") && !$0.hasSuffix(" 0") }
        #expect(restarts.isEmpty, "workers were restarted: \(restarts)")
    }

    @Test func withPostgreSQLStoppedAnswersAre503AndNoWorkerIsKilled() async throws {
        let own = OwnServices(pgPort: 26535, amqpPort: 26778, epmdPort: 24377, s3Port: 29480)
        try await own.with {
            try await own.run("services", "up", "postgres")
            let database = try #require(try own.settings()["DATABASE_URL"])
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: ["DATABASE_URL": database, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error"]
            ) { h in
                let alice = try await I.signUp(h, "alice")
                let dune = try I.photo("Dune.jpg")
                let id = try #require(try await alice.upload(dune, filename: "Dune.jpg").json()["id"] as? String)
                #expect(try await h.request(.GET, "/users/me", headers: alice.auth).status == 200)

                try await own.run("services", "stop", "postgres")
                // Each waits for a connection that does not come, for at most the pool's call timeout (5 s),
                // whatever its function's timeout: `me` and the listing have 10 s, the image and upload 29 s.
                // Before, each waited until 1.5 s before its deadline (8.5 s and 27.5 s).
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await Self.expectPrompt503(h, "me", within: .seconds(8)) { try await h.request(.GET, "/users/me", headers: alice.auth) } }
                    group.addTask { try await Self.expectPrompt503(h, "list", within: .seconds(8)) { try await h.request(.GET, "/images", headers: alice.auth) } }
                    group.addTask { try await Self.expectPrompt503(h, "image", within: .seconds(8)) { try await h.request(.GET, "/images/\(id)", headers: alice.auth) } }
                    group.addTask {
                        try await Self.expectPrompt503(h, "upload", within: .seconds(8)) {
                            try await h.request(.POST, "/images?filename=again.jpg", body: dune, headers: alice.auth + [("Content-Type", "image/jpeg")])
                        }
                    }
                    try await group.waitForAll()
                }
                let ready = try await h.request(.GET, "/readyz")
                #expect(ready.status == 503 && ready.text.contains("postgres"), "\(ready.status) \(ready.text)")
                try await Self.expectNoWorkerRestarted(h)

                try await own.run("services", "up", "postgres")
                #expect(await h.eventually(timeout: .seconds(20)) {
                    (try? await h.request(.GET, "/users/me", headers: alice.auth).status) == 200
                })
                // Readiness goes through the same pool as the requests: ready once they are served again.
                #expect(await h.eventually(timeout: .seconds(10)) { (try? await h.request(.GET, "/readyz").status) == 200 })
                #expect(try await h.request(.GET, "/images/\(id)", headers: alice.auth).status == 200)
            }
        }
    }

    /// The S3 server stopped: uploads and new variants by URL are a prompt 503 (the store's connect timeout is
    /// 2 s); before, they waited for the function's 29 s and got a 504 from a killed worker.
    @Test func withTheS3ServerStoppedAnswersAre503AndNoWorkerIsKilled() async throws {
        let own = OwnServices(pgPort: 26536, amqpPort: 26780, epmdPort: 24378, s3Port: 29700)
        try await own.with {
            try await own.run("services", "up", "s3")
            let s3 = try own.settings().filter { $0.key.hasPrefix("S3_") }
            try await ScratchDatabase.with { url in
                try await RuntimeHarness.with(
                    binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                    environment: ["DATABASE_URL": url, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error"].merging(s3) { $1 }
                ) { h in
                    let alice = try await I.signUp(h, "alice")
                    let dune = try I.photo("Dune.jpg")
                    let id = try #require(try await alice.upload(dune, filename: "Dune.jpg").json()["id"] as? String)

                    try await own.run("services", "stop", "s3")
                    try await Self.expectPrompt503(h, "upload", within: .seconds(8)) {
                        try await h.request(.POST, "/images?filename=again.jpg", body: dune, headers: alice.auth + [("Content-Type", "image/jpeg")])
                    }
                    try await Self.expectPrompt503(h, "new variant by URL", within: .seconds(8)) {
                        try await h.request(.GET, "/images/\(id)/t/w_123", headers: alice.auth)
                    }
                    let ready = try await h.request(.GET, "/readyz")
                    #expect(ready.status == 503 && ready.text.contains("s3"), "\(ready.status) \(ready.text)")
                    try await Self.expectNoWorkerRestarted(h)

                    // Back: new work is served at once. (The variant its request could not store is finished by
                    // the worker through the outbox: NoLostWorkEndToEndTests.aURLTransformationItsRequest...)
                    try await own.run("services", "up", "s3")
                    #expect(await h.eventually(timeout: .seconds(20)) {
                        (try? await h.request(.GET, "/images/\(id)/t/w_124", headers: alice.auth).status) == 200
                    })
                    #expect(try await h.request(.POST, "/images?filename=again.jpg", body: dune, headers: alice.auth + [("Content-Type", "image/jpeg")]).status == 201)
                }
            }
        }
    }
}
