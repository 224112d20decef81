import Foundation

extension RuntimeHarness {
    /// image-functions under local-runtime on a migrated database (a scratch one, unless `database` names one
    /// to share between services in turn), signing with the tests' JWT secret, logging errors only, with
    /// `environment` on top and the queues consumed.
    static func withImageFunctions(
        _ environment: [String: String] = [:], database: String? = nil,
        _ body: @Sendable @escaping (RuntimeHarness) async throws -> Void
    ) async throws {
        @Sendable func run(_ url: String) async throws {
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: ["DATABASE_URL": url, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error"]
                    .merging(environment) { $1 },
                consumeQueues: true
            ) { h in try await body(h) }
        }
        if let database { try await run(database) } else { try await ScratchDatabase.with { url in try await run(url) } }
    }
}
