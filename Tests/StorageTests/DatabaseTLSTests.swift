import Foundation
import Logging
import PostgresNIO
import Storage
import Testing

/// DATABASE_URL's sslmode, parsed as libpq's and honoured against the test PostgreSQL, which infra/dev/services
/// runs with ssl=on and a certificate of its throwaway CA (DATABASE_TLS_URL, IF_TLS_CA).
@Suite struct DatabaseTLSTests {
    @Test func parsesSSLModes() throws {
        #expect(try DatabaseSettings(url: "postgres://u@h/db").tls == .prefer)  // libpq's default
        #expect(try DatabaseSettings(url: "postgres://u@h/db?sslmode=disable").tls == .disable)
        #expect(try DatabaseSettings(url: "postgres://u@h/db?sslmode=allow").tls == .prefer)
        #expect(try DatabaseSettings(url: "postgres://u@h/db?sslmode=require").tls == .require)
        #expect(try DatabaseSettings(url: "postgres://u@h/db?sslmode=verify-ca").tls == .verifyCA)
        let full = try DatabaseSettings(url: "postgres://u@h/db?sslmode=verify-full&sslrootcert=/etc/hostname")
        #expect(full.tls == .verifyFull && full.rootCertificatePath == "/etc/hostname" && full.database == "db")
        #expect(throws: StorageError.self) { try DatabaseSettings(url: "postgres://u@h/db?sslmode=sometimes") }
        #expect(throws: StorageError.self) { try DatabaseSettings(url: "postgres://u@h/db?sslrootcert=/no/such/file.pem") }
        #expect(throws: StorageError.self) { try DatabaseSettings(url: "postgres://u@h/db?application_name=x") }
    }

    static func tlsURL() throws -> String {
        try #require(ProcessInfo.processInfo.environment["DATABASE_TLS_URL"], "DATABASE_TLS_URL is not set: run the tests with infra/dev/test (IF_TLS=1)")
    }

    /// Whether this session's connection is encrypted, as the server sees it.
    static func sessionIsEncrypted(_ url: String) async throws -> Bool {
        let client = PostgresClient(configuration: try DatabaseSettings(url: url).clientConfiguration)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let rows = try await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            for try await ssl in rows.decode(Bool.self) { return ssl }
            return false
        }
    }

    @Test func verifyFullConnectsEncryptedAgainstTheDevCA() async throws {
        #expect(try await Self.sessionIsEncrypted(try Self.tlsURL()))
        // `require` encrypts without verifying; `disable` does not encrypt.
        let require = try Self.tlsURL().replacingOccurrences(of: "sslmode=verify-full", with: "sslmode=require")
        #expect(try await Self.sessionIsEncrypted(require))
        let plain = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"])
        #expect(try await Self.sessionIsEncrypted(plain) == false)
    }

    /// A certificate the client does not trust is refused: verify-full with the system's CAs, which do not
    /// include the throwaway one. The pool retries connecting rather than failing the query, so the check is
    /// that no query gets through while the same URL with the CA answers at once (the test above).
    @Test func anUntrustedCertificateIsRefused() async throws {
        let untrusted = try Self.tlsURL().components(separatedBy: "&sslrootcert=")[0]
        var configuration = try DatabaseSettings(url: untrusted).clientConfiguration
        configuration.options.connectTimeout = .seconds(2)
        let client = PostgresClient(configuration: configuration)
        await #expect(throws: (any Error).self) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                group.addTask {
                    try await withThrowingTaskGroup(of: Void.self) { inner in
                        inner.addTask { _ = try await client.query("SELECT 1") }
                        inner.addTask {
                            try await Task.sleep(for: .seconds(3))
                            throw CancellationError()
                        }
                        try await inner.next()
                        inner.cancelAll()
                    }
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        }
    }
}
