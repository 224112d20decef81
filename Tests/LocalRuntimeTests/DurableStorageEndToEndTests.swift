import Foundation
import Testing

/// Nothing stored is lost when the services stop: a kill -9 of the S3 server and a restart of every service
/// keep every original and variant byte for byte, and a backup restored into fresh services reads back whole.
/// Each test runs services of its own (the shared test services stay up for the other tests).
@Suite struct DurableStorageEndToEndTests {
    typealias I = ImagesEndToEndTests
    let t = TransformEndToEndTests()

    /// Uploads Dune and Gulp, makes a variant of each, and returns every image's GET (bytes and ETag) by id.
    func library(_ h: RuntimeHarness) async throws -> (token: String, served: [String: Served]) {
        let alice = try await I.signUp(h, "alice")
        var ids: [String] = []
        for name in ["Dune.jpg", "Gulp.png"] {
            let uploaded = try await alice.upload(try I.photo(name), filename: name)
            #expect(uploaded.status == 201, "\(uploaded.text)")
            ids.append(try #require(try uploaded.json()["id"] as? String))
        }
        for (id, spec) in zip(ids, [#"{"resize":{"width":320},"format":"webp"}"#, #"{"rotate":90}"#]) {
            let variant = try await t.transform(alice, id, spec, wait: 20).json()
            #expect(variant["status"] as? String == "ready", "\(variant)")
            ids.append(try #require(variant["id"] as? String))
        }
        var served: [String: Served] = [:]
        for id in ids {
            let reply = try await h.request(.GET, "/images/\(id)", headers: alice.auth)
            #expect(reply.status == 200)
            served[id] = Served(bytes: reply.body, etag: try #require(reply.header("etag")))
        }
        return (alice.token, served)
    }

    struct Served: Sendable, Equatable {
        var bytes: Data
        var etag: String
    }

    /// Every image of `served` again, from function processes that never held it (nothing from memory).
    func expectSame(_ h: RuntimeHarness, token: String, _ served: [String: Served]) async throws {
        let auth = [("Authorization", "Bearer \(token)")]
        #expect(try await h.request(.GET, "/images", headers: auth).json()["total"] as? Int == 2)
        for (id, before) in served {
            let reply = try await h.request(.GET, "/images/\(id)", headers: auth)
            #expect(reply.status == 200, "\(id): \(reply.text.prefix(300))")
            #expect(reply.header("etag") == before.etag, "\(id)")
            #expect(reply.body == before.bytes, "\(id): \(reply.body.count) bytes, was \(before.bytes.count)")
        }
    }

    /// A harness on `environment`'s services; its broker is `environment["AMQP_URL"]` when given.
    func harness<T: Sendable>(_ environment: [String: String], _ body: @Sendable (RuntimeHarness) async throws -> T) async throws -> T {
        try await RuntimeHarness.with(
            binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
            environment: ["JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error"].merging(environment) { $1 },
            consumeQueues: true, amqpURL: environment["AMQP_URL"], body
        )
    }

    /// All three services of its own: the S3 server killed with SIGKILL and started, then every service
    /// stopped and started again, as a restart of the machine does.
    @Test func everyByteSurvivesAKillOfTheS3ServerAndARestartOfEveryService() async throws {
        let own = OwnServices(pgPort: 26532, amqpPort: 26772, epmdPort: 24372, s3Port: 29300)
        try await own.with {
            try await own.run("services", "up")
            let environment = try own.settings().filter { $0.key.hasPrefix("S3_") || ["DATABASE_URL", "AMQP_URL"].contains($0.key) }
            let (token, served) = try await harness(environment) { h in try await library(h) }
            try await own.run("services", "kill", "s3")
            try await own.run("services", "up", "s3")
            try await own.run("services", "down")
            try await own.run("services", "up")
            try await harness(environment) { h in try await expectSame(h, token: token, served) }
        }
    }

    /// infra/dev/backup, then the services and their directory removed as a lost machine would be, then
    /// infra/dev/restore into fresh services on other ports: the library reads back whole.
    @Test func aBackupRestoredIntoFreshServicesReadsBackWhole() async throws {
        let first = OwnServices(pgPort: 26632, amqpPort: 26872, epmdPort: 24373, s3Port: 29400)
        let second = OwnServices(pgPort: 26732, amqpPort: 26972, epmdPort: 24374, s3Port: 29420)
        let backup = FileManager.default.temporaryDirectory.appendingPathComponent("backup-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: backup) }
        func settings(_ services: OwnServices) throws -> [String: String] {
            try services.settings().filter { $0.key.hasPrefix("S3_") || $0.key == "DATABASE_URL" }
        }
        let (token, served) = try await first.with { () async throws -> (token: String, served: [String: Served]) in
            try await first.run("services", "up", "postgres", "s3")
            let made = try await harness(try settings(first)) { h in try await library(h) }
            try await first.run("backup", backup.path)
            return made
        }
        try await second.with {
            let restored = try await second.run("restore", backup.path)
            #expect(restored.contains("restored 4 images"), "\(restored)")
            try await harness(try settings(second)) { h in try await expectSame(h, token: token, served) }
        }
    }
}
