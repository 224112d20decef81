import Synchronization

/// API Gateway's integration timeout: the client is answered when the time is up, while the invocation runs
/// on to its own end (as a Lambda function does after API Gateway has given up on it).
enum IntegrationTimeout {
    /// The work's result, or nil when `timeout` passed first. The work is not cancelled.
    static func run<T: Sendable>(within timeout: Duration, _ work: @escaping @Sendable () async -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let once = Once(continuation)
            let timer = Task {
                // Cancelled means the work answered first: a cancelled sleep returns early, so look.
                guard (try? await Task.sleep(for: timeout)) != nil, !Task.isCancelled else { return }
                once.resume(with: nil)
            }
            Task {
                let value = await work()
                once.resume(with: value)
                timer.cancel()
            }
        }
    }

    /// A continuation resumed by whichever side comes first; the other's resume does nothing.
    private final class Once<Value: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<Value, Never>?>

        init(_ continuation: CheckedContinuation<Value, Never>) { self.continuation = Mutex(continuation) }

        func resume(with value: Value) {
            let first = continuation.withLock { stored -> CheckedContinuation<Value, Never>? in
                defer { stored = nil }
                return stored
            }
            first?.resume(returning: value)
        }
    }
}
