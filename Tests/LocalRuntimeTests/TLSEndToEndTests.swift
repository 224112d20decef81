import Foundation
import PostgresNIO
import Storage
import Testing
@testable import TestSupport

/// The whole flow with TLS to both PostgreSQL (sslmode=verify-full) and RabbitMQ (amqps, the broker's
/// certificate and name verified), as RDS and Amazon MQ require: the functions and local-runtime's consumer
/// reach the services only through their TLS endpoints, verified against the dev services' throwaway CA.
@Suite struct TLSEndToEndTests {
    typealias I = ImagesEndToEndTests

    @Test func registerUploadTransformAndFetchOverTLS() async throws {
        let env = ProcessInfo.processInfo.environment
        let tlsDatabase = try #require(env["DATABASE_TLS_URL"], "DATABASE_TLS_URL is not set: run the tests with infra/dev/test (IF_TLS=1)")
        let tlsBroker = try #require(env["AMQP_TLS_URL"], "AMQP_TLS_URL is not set: run the tests with infra/dev/test (IF_TLS=1)")
        try await ScratchDatabase.with { plainURL in
            // The scratch database, reached through the TLS URL.
            var scratch = try #require(URLComponents(string: tlsDatabase))
            scratch.path = try #require(URLComponents(string: plainURL)).path
            let databaseURL = try #require(scratch.string)
            let database = String(scratch.path.dropFirst())
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: [
                    "DATABASE_URL": databaseURL, "AMQP_URL": tlsBroker, "JWT_SECRET": AccountsEndToEndTests.secret,
                    "LOG_LEVEL": "error",
                ],
                consumeQueues: true, amqpURL: tlsBroker
            ) { h in
                let alice = try await I.signUp(h, "alice")
                let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
                let made = try await h.request(
                    .POST, "/images/\(id)/transform", body: Data(#"{"transformations":{"resize":{"width":320},"format":"webp"}}"#.utf8),
                    headers: alice.auth + [("Content-Type", "application/json"), ("Prefer", "wait=20")]
                )
                #expect(made.status == 201, "\(made.text)")
                let variant = try #require(try made.json()["id"] as? String)
                let bytes = try await h.request(.GET, "/images/\(variant)", headers: alice.auth)
                #expect(bytes.status == 200 && bytes.header("content-type") == "image/webp")
                #expect(try TestImages.decode([UInt8](bytes.body)).width == 320)

                // Every connection the functions hold to this database is encrypted.
                let client = PostgresClient(configuration: try DatabaseSettings(url: plainURL).clientConfiguration)
                let (encrypted, plain) = try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await client.run() }
                    defer { group.cancelAll() }
                    let rows = try await client.query(
                        """
                        SELECT count(*) FILTER (WHERE s.ssl)::int, count(*) FILTER (WHERE NOT s.ssl)::int
                        FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
                        WHERE a.datname = \(database) AND a.pid <> pg_backend_pid()
                        """
                    )
                    for try await counts in rows.decode((Int, Int).self) { return counts }
                    return (0, 0)
                }
                #expect(encrypted > 0 && plain == 0, "\(encrypted) encrypted, \(plain) plain connections")
            }
        }
    }
}
