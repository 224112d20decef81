import Foundation
import Logging
import PostgresNIO
import Storage
import Testing

/// The GCRA statement on the real PostgreSQL: many concurrent requests share one allowance exactly, and the
/// state reports what is left and when to come back.
@Suite struct RateLimitStoreTests {
    func withStore(_ body: (RateLimitStore) async throws -> Void) async throws {
        try await MigratorTests.withScratchDatabase("ratelimit") { client in
            try await body(RateLimitStore(client: client, logger: Logger(label: "t")))
        }
    }

    @Test func concurrentRequestsShareOneAllowanceExactly() async throws {
        try await withStore { store in
            // A burst of 10, refilled one a minute: 60 requests at once get exactly 10 through.
            let decisions = try await withThrowingTaskGroup(of: RateLimitDecision.self) { group in
                for _ in 0..<60 { group.addTask { try await store.acquire(key: "transforms:user", interval: 60, burst: 10) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(decisions.filter(\.allowed).count == 10)
            #expect(Set(decisions.filter(\.allowed).map(\.remaining)) == Set(0..<10))
            let refused = try #require(decisions.first { !$0.allowed })
            #expect(refused.remaining == 0)
            #expect(refused.retryAfterSeconds > 55 && refused.retryAfterSeconds <= 60)
            // Another key has its own allowance.
            #expect(try await store.acquire(key: "transforms:other", interval: 60, burst: 10).allowed)
        }
    }

    @Test func theAllowanceRefillsAtTheRateAndSpentRowsAreSwept() async throws {
        try await withStore { store in
            // 0.2 s apart, a burst of 2.
            #expect(try await store.acquire(key: "k", interval: 0.2, burst: 2).allowed)
            #expect(try await store.acquire(key: "k", interval: 0.2, burst: 2).allowed)
            let refused = try await store.acquire(key: "k", interval: 0.2, burst: 2)
            #expect(!refused.allowed && refused.retryAfterSeconds > 0 && refused.retryAfterSeconds <= 0.2)
            try await Task.sleep(for: .milliseconds(250))
            #expect(try await store.acquire(key: "k", interval: 0.2, burst: 2).allowed)
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await store.deleteExpired() == 1)  // full again: the row is as good as none
        }
    }

    @Test func aReleasedUnitCanBeTakenAgain() async throws {
        try await withStore { store in
            #expect(try await store.acquire(key: "uploads:u", interval: 60, burst: 1).allowed)
            #expect(try await !store.acquire(key: "uploads:u", interval: 60, burst: 1).allowed)
            try await store.release(key: "uploads:u", interval: 60)
            #expect(try await store.acquire(key: "uploads:u", interval: 60, burst: 1).allowed)
        }
    }
}
