import Synchronization

/// What the one log line of an invocation reports beyond its id, handler and duration: the HTTP status the
/// handler answered and the user it acted for. Handlers fill it in through `InvocationRecord.current`, a
/// task-local the runtime loop sets around each invocation, so no handler signature has to carry it.
public final class InvocationRecord: Sendable {
    @TaskLocal public static var current: InvocationRecord?

    private struct State {
        var status: Int?
        var userID: String?
        var stages: [(name: String, duration: Duration)] = []
    }
    private let state = Mutex(State())

    public init() {}

    /// Records the user the current invocation acts for, if an invocation is running.
    public static func noteUser(_ id: String) {
        current?.userID = id
    }

    public var status: Int? {
        get { state.withLock { $0.status } }
        set { state.withLock { $0.status = newValue } }
    }

    /// The timed stages of the invocation, in the order they ended (`InvocationRecord.stage`).
    public var stages: [(name: String, duration: Duration)] { state.withLock { $0.stages } }

    public func record(_ name: String, _ duration: Duration) {
        state.withLock { $0.stages.append((name, duration)) }
    }

    /// Runs `body` and records how long it took as a stage of the current invocation (nothing when no
    /// invocation runs). The stages go into the invocation's log line and, with `SERVER_TIMING=1`, into a
    /// `Server-Timing` header: where the time of a request goes, stage by stage.
    public static func stage<T>(_ name: String, _ body: () async throws -> T) async rethrows -> T {
        guard let record = current else { return try await body() }
        let start = ContinuousClock.now
        defer { record.record(name, ContinuousClock.now - start) }
        return try await body()
    }

    /// The stages as a `Server-Timing` value: `sql;dur=0.412, s3.get;dur=3.100` (milliseconds).
    public var serverTiming: String {
        stages.map { ServerTiming.entry($0.name, $0.duration) }.joined(separator: ", ")
    }

    public var userID: String? {
        get { state.withLock { $0.userID } }
        set { state.withLock { $0.userID = newValue } }
    }
}
