import Foundation
import Logging
import PostgresNIO

/// The outcome of asking for one unit of an allowance.
public struct RateLimitDecision: Sendable, Equatable {
    public var allowed: Bool
    /// Requests still allowed right now (after this one, when it was allowed).
    public var remaining: Int
    /// Seconds until the allowance is full again.
    public var resetSeconds: Double
    /// Seconds until the next request would be allowed; 0 when this one was.
    public var retryAfterSeconds: Double
}

/// GCRA (the generic cell rate algorithm) kept in PostgreSQL, so stateless functions share one allowance
/// per key. A key's state is one timestamp, the theoretical arrival time (TAT): each allowed request pushes it
/// `interval` further; a request is allowed while the TAT stays within `burst * interval` of now. The check
/// and the update are one `INSERT … ON CONFLICT DO UPDATE … WHERE` statement, which locks the row, so two
/// concurrent requests can never both take the last unit.
public struct RateLimitStore: Sendable {
    let client: DatabasePool
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = DatabasePool(client)
        self.logger = logger
    }

    /// Takes one unit of `key`'s allowance of `burst` requests refilled one per `interval` seconds.
    ///
    /// Times are `clock_timestamp()`, read once the row is locked, not `now()`, the transaction's start: two
    /// requests that started in one order and got the lock in the other saw `now()` go backwards, so the later
    /// one counted an allowance short (a remaining count given twice; seen in CI under load).
    public func acquire(key: String, interval: Double, burst: Int) async throws(StorageError) -> RateLimitDecision {
        let window = interval * Double(burst)
        do {
            let taken = try await client.query(
                """
                INSERT INTO rate_limits AS r (key, tat) VALUES (\(key), clock_timestamp() + \(interval) * interval '1 second')
                ON CONFLICT (key) DO UPDATE SET tat = greatest(r.tat, clock_timestamp()) + \(interval) * interval '1 second'
                WHERE greatest(r.tat, clock_timestamp()) + \(interval) * interval '1 second' <= clock_timestamp() + \(window) * interval '1 second'
                RETURNING extract(epoch FROM tat - clock_timestamp())::float8
                """,
                logger: logger
            )
            for try await ahead in taken.decode(Double.self) {
                return RateLimitDecision(
                    allowed: true, remaining: max(0, Int(((window - ahead) / interval).rounded(.down))),
                    resetSeconds: ahead, retryAfterSeconds: 0
                )
            }
            // Refused: the row is unchanged; read how far ahead it is for Retry-After.
            let state = try await client.query(
                "SELECT extract(epoch FROM tat - clock_timestamp())::float8 FROM rate_limits WHERE key = \(key)", logger: logger
            )
            var ahead = window
            for try await value in state.decode(Double.self) { ahead = value }
            return RateLimitDecision(
                allowed: false, remaining: 0, resetSeconds: ahead, retryAfterSeconds: max(ahead + interval - window, 0)
            )
        } catch {
            throw StorageError(.unavailable, "the database could not check a rate limit", underlying: error)
        }
    }

    /// How much of `key`'s allowance is left, without taking any: the requests allowed right now and the
    /// seconds until it is full again (a key without a row is full).
    public func peek(key: String, interval: Double, burst: Int) async throws(StorageError) -> (remaining: Int, resetSeconds: Double) {
        let window = interval * Double(burst)
        do {
            var ahead = 0.0
            let rows = try await client.query(
                "SELECT greatest(extract(epoch FROM tat - clock_timestamp()), 0)::float8 FROM rate_limits WHERE key = \(key)", logger: logger
            )
            for try await value in rows.decode(Double.self) { ahead = value }
            return (min(burst, max(0, Int(((window - ahead) / interval).rounded(.down)))), ahead)
        } catch {
            throw StorageError(.unavailable, "the database could not read a rate limit", underlying: error)
        }
    }

    /// Gives back one unit taken by `acquire` (the request it admitted failed on our side, e.g. a 503).
    public func release(key: String, interval: Double) async throws(StorageError) {
        do {
            try await client.query(
                "UPDATE rate_limits SET tat = tat - \(interval) * interval '1 second' WHERE key = \(key)", logger: logger
            )
        } catch {
            throw StorageError(.unavailable, "the database could not update a rate limit", underlying: error)
        }
    }

    /// Deletes the state of keys whose allowance is full again (equivalent to no row); returns how many.
    public func deleteExpired() async throws(StorageError) -> Int {
        do {
            var n = 0
            for try await count in try await client.query(
                "WITH gone AS (DELETE FROM rate_limits WHERE tat < now() RETURNING 1) SELECT count(*)::int FROM gone",
                logger: logger
            ).decode(Int.self) { n = count }
            return n
        } catch {
            throw StorageError(.unavailable, "the database could not sweep rate limits", underlying: error)
        }
    }
}
