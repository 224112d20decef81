import Foundation
import NIOHTTP1
import Testing

/// A dependency down for longer than a function's timeout: the functions answer the contract's 503 with
/// Retry-After before their deadline, and no worker is killed for it; once the dependency is back, the same
/// workers answer as before.
@Suite struct DependencyOutageEndToEndTests {
    typealias I = ImagesEndToEndTests

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
                #expect(try await h.request(.GET, "/users/me", headers: alice.auth).status == 200)

                try await own.run("services", "stop", "postgres")
                // `me` has 10 s: it waits for a connection that does not come, and answers before its deadline.
                let started = ContinuousClock.now
                let reply = try await h.request(.GET, "/users/me", headers: alice.auth)
                let took = ContinuousClock.now - started
                #expect(reply.status == 503, "\(reply.status) \(reply.text.prefix(200))")
                #expect(try reply.json()["code"] as? String == "unavailable")
                #expect(reply.header("retry-after") != nil)
                #expect(took < .seconds(10), "answered after \(took), at or past the function's timeout")
                let metrics = try await h.request(.GET, "/metrics").text
                let restarts = metrics.split(separator: "\n").filter { $0.hasPrefix("worker_restarts_total") && !$0.hasSuffix(" 0") }
                #expect(restarts.isEmpty, "workers were restarted: \(restarts)")

                try await own.run("services", "up", "postgres")
                #expect(await h.eventually(timeout: .seconds(20)) {
                    (try? await h.request(.GET, "/users/me", headers: alice.auth).status) == 200
                })
            }
        }
    }
}
