import FunctionRuntime
import Storage

import Foundation

/// Brings the database schema up to date. Invoked once per deploy (or by local-runtime at start), never on a
/// cold start of the other functions. Any event is accepted; the answer lists the versions applied.
public struct MigrateFunction: InvocationHandler {
    let migrator: Migrator

    public init(environment: FunctionEnvironment) throws {
        self.migrator = Migrator(client: try environment.requirePostgres(), logger: environment.logger)
    }

    struct Result: Encodable {
        var applied: [Int]
        var current: Int
    }

    public func handle(_ event: Data, context: InvocationContext) async throws -> Data {
        let applied = try await migrator.migrate()
        let current = Migration.all.map(\.version).max() ?? 0
        return try JSONEncoder().encode(Result(applied: applied, current: current))
    }
}
