import Synchronization

/// API Gateway's integration timeout: the client is answered when the time is up, while the invocation runs
/// on to its own end (as a Lambda function does after API Gateway has given up on it).
enum IntegrationTimeout {
    /// The work's result, or nil when `timeout` passed first. The work is not cancelled.
    static func run<T: Sendable>(within timeout: Duration, _ work: @escaping @Sendable () async -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let once = FirstResult(continuation)
            let timer = Task {
                // Cancelled means the work answered first: a cancelled sleep returns early, so look.
                guard (try? await Task.sleep(for: timeout)) != nil, !Task.isCancelled else { return }
                once.resume(with: .success(nil))
            }
            Task {
                let value = await work()
                once.resume(with: .success(value))
                timer.cancel()
            }
        }
    }
}

/// A continuation resumed by whichever of several racing tasks comes first; later results are dropped.
final class FirstResult<Value: Sendable, Failure: Error>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, Failure>?>

    init(_ continuation: CheckedContinuation<Value, Failure>) { self.continuation = Mutex(continuation) }

    func resume(with result: sending Result<Value, Failure>) {
        let first = continuation.withLock { stored -> CheckedContinuation<Value, Failure>? in
            defer { stored = nil }
            return stored
        }
        first?.resume(with: result)
    }
}
