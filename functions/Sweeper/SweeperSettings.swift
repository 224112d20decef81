/// When the sweeper acts: outbox jobs unconfirmed for `outboxGraceSeconds` are published again; stored objects
/// no row references are deleted once older than `orphanGraceSeconds` (an upload in flight writes its object
/// before its row, so young objects are left alone).
public struct SweeperSettings: Sendable, Equatable {
    public var outboxGraceSeconds: Double
    public var orphanGraceSeconds: Double
}
