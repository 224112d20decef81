/// Runs work against a deadline: the work's result, or `RuntimeError.deadlineExceeded` once `budget` has
/// passed. The work is then cancelled, and this returns when it has stopped: waits that honour cancellation
/// (a PostgreSQL pool's lease, an HTTP request, a sleep) end at once. A budget of zero or less is exceeded
/// before the work starts; nil runs the work without a deadline.
public func withDeadline<T: Sendable>(
    _ budget: Duration?, _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    guard let budget else { return try await work() }
    guard budget > .zero else { throw RuntimeError(.deadlineExceeded, "the invocation arrived with no time left before its deadline") }
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: budget)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw RuntimeError(.deadlineExceeded, "the invocation did not finish before its deadline")
        }
        return value
    }
}

extension InvocationContext {
    /// The time left before the deadline minus `margin`: what a handler may spend and still answer itself.
    public func budget(keeping margin: Duration) -> Duration { remainingTime - margin }
}
