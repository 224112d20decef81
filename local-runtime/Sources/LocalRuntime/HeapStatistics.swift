import CMalloc

/// The process's memory as glibc's allocator sees it. RSS alone cannot tell a leak from an allocator that keeps
/// freed memory in its arenas: a leak grows `inUseBytes`; fragmentation grows `heldBytes` (and RSS) while
/// `inUseBytes` stays flat. `infra/bench/soak` reads both from `/metrics`.
struct HeapStatistics: Sendable {
    /// Allocated and not freed: small blocks in the arenas and large ones mapped on their own.
    var inUseBytes: Int
    /// Obtained from the system by the allocator, in use or not.
    var heldBytes: Int

    static func current() -> HeapStatistics {
        let info = mallinfo2()
        return HeapStatistics(inUseBytes: Int(info.uordblks + info.hblkhd), heldBytes: Int(info.arena + info.hblkhd))
    }

    /// One arena per thread is glibc's default, up to 8 per core. local-runtime's threads (NIO's event loops,
    /// the cooperative pool, a reader per worker's output) each kept freed memory in an arena of their own:
    /// over a 30-minute soak its RSS climbed from 105 to 137 MB with nothing leaked. Two arenas, as the workers
    /// have (`MALLOC_ARENA_MAX=2`), unless the environment chose otherwise. Call before threads start.
    static func limitArenas(environment: [String: String]) {
        guard environment["MALLOC_ARENA_MAX"] == nil else { return }
        _ = mallopt(M_ARENA_MAX, 2)
    }
}
