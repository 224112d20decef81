import FunctionRuntime
import Storage

import Foundation
import Messaging

/// Brings the database schema up to date. Invoked once per deploy (or by local-runtime at start), never on a
/// cold start of the other functions. Any event is accepted; the answer lists the versions applied.
public struct MigrateFunction: InvocationHandler {
    let migrator: Migrator
    let publisher: JobPublisher?

    public init(environment: FunctionEnvironment) throws {
        self.migrator = Migrator(client: try environment.require(.database), logger: environment.logger)
        self.publisher = environment.publisher
    }

    struct Result: Encodable {
        var applied: [Int]
        var current: Int
        /// The queues declared on the broker (with their dead-letter queues), when AMQP_URL is set.
        var queues: [String]
        /// Why they were not, when the broker could not be reached.
        var broker_error: String?
    }

    /// The schema, then the broker's topology: once per deploy, before the first request or delivery. A broker
    /// that cannot be reached does not fail the schema's deploy (publishers declare the queues on connecting,
    /// and their requests answer 503 until it is back); a queue declared with other arguments does.
    public func handle(_ event: Data, context: InvocationContext) async throws -> Data {
        let applied = try await migrator.migrate()
        let current = Migration.all.map(\.version).max() ?? 0
        var result = Result(applied: applied, current: current, queues: [])
        if let publisher {
            do {
                result.queues = try await publisher.declareTopology()
            } catch let error as MessagingError where error.code == .unavailable {
                context.logger.warning("broker unreachable; queues not declared", metadata: ["error.message": "\(error.message)"])
                result.broker_error = error.message
            }
        }
        return try JSONEncoder().encode(result)
    }
}
