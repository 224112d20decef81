import Logging
import PostgresNIO

/// The PostgreSQL pool as the repositories use it: every call has a deadline of its own, well inside any
/// function's timeout. With PostgreSQL down the pool does not fail a call: it keeps retrying connections and
/// the call waits for a lease, so without this a request waited for its function's deadline (8.5 s of `me`'s
/// 10 s, 27.5 s of an upload's 29 s) before its 503. Past `callTimeout` the call is cancelled (a lease wait
/// honours cancellation) and fails as `unavailable`, which every function answers as 503 with Retry-After.
public struct DatabasePool: Sendable {
    /// The pool itself, for what has its own limit (a LISTEN that waits as long as its caller asked).
    public let postgres: PostgresClient
    /// How long one statement (or one transaction) may take, its wait for a connection included. Our
    /// statements take milliseconds; a call still waiting after this finds the database down or stuck.
    public var callTimeout: Duration

    public static let defaultCallTimeout: Duration = .seconds(5)

    public init(_ client: PostgresClient, callTimeout: Duration = DatabasePool.defaultCallTimeout) {
        self.postgres = client
        self.callTimeout = callTimeout
    }

    /// A statement whose rows are read after it returns (the first answer arrived within the deadline).
    func query(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await bounded { [postgres] in try await postgres.query(query, logger: logger) }
    }

    /// A statement whose rows are not wanted; any failure is the store's `unavailable`, as for every write.
    func execute(_ query: PostgresQuery, logger: Logger) async throws(StorageError) {
        do {
            _ = try await self.query(query, logger: logger)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.unavailable, "the database could not be written", underlying: error)
        }
    }

    /// `body` in one transaction, all of it within the deadline.
    func withTransaction<Result: Sendable>(
        logger: Logger, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await bounded { [postgres] in try await postgres.withTransaction(logger: logger) { try await body($0) } }
    }

    /// The work, or `unavailable` once `callTimeout` has passed; returns when the work has stopped.
    private func bounded<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = callTimeout
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw StorageError(.unavailable, "the database did not answer within \(timeout)")
            }
            return value
        }
    }
}
