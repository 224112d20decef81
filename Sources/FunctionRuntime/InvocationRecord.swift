import Synchronization

/// What the one log line of an invocation reports beyond its id, handler and duration: the HTTP status the
/// handler answered and the user it acted for. Handlers fill it in through `InvocationRecord.current`, a
/// task-local the runtime loop sets around each invocation, so no handler signature has to carry it.
public final class InvocationRecord: Sendable {
    @TaskLocal public static var current: InvocationRecord?

    private struct State {
        var status: Int?
        var userID: String?
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

    public var userID: String? {
        get { state.withLock { $0.userID } }
        set { state.withLock { $0.userID = newValue } }
    }
}
