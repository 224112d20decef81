import Foundation
import FunctionRuntime
import Storage
import Synchronization

/// Stored objects recently read or written by this process, kept in memory within a byte budget
/// (`OBJECT_CACHE_MB`), least recently used out first. An entry is keyed by the object key *and* the content
/// hash its row records, and the bytes under a (key, hash) pair never change, so an entry is never stale:
/// the database still decides what may be served and which bytes, the cache only saves the object store's
/// round trip. A warm Lambda instance keeps it between invocations as a local-runtime worker does.
final class ObjectCache: Sendable {
    private struct Entry {
        var bytes: Data
        var lastUse: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var total = 0
        var clock: UInt64 = 0
    }

    let budgetBytes: Int
    private let state = Mutex(State())

    init(budgetBytes: Int) {
        self.budgetBytes = budgetBytes
    }

    func bytes(key: String, hash: String) -> Data? {
        state.withLock { state in
            let name = key + "\n" + hash
            guard var entry = state.entries[name] else { return nil }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[name] = entry
            return entry.bytes
        }
    }

    /// The largest object kept: a quarter of the budget (one huge original would push out everything else for
    /// a single later use).
    var largestEntryBytes: Int { budgetBytes / 4 }

    /// Keeps the bytes unless they alone are over `largestEntryBytes`.
    func keep(_ bytes: Data, key: String, hash: String) {
        guard bytes.count <= largestEntryBytes else { return }
        state.withLock { state in
            let name = key + "\n" + hash
            state.clock += 1
            if let old = state.entries.updateValue(Entry(bytes: bytes, lastUse: state.clock), forKey: name) {
                state.total -= old.bytes.count
            }
            state.total += bytes.count
            while state.total > budgetBytes, let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.total -= oldest.value.bytes.count
                state.entries.removeValue(forKey: oldest.key)
            }
        }
    }
}

extension ObjectCache {
    /// The object's bytes: from memory when this process has them under that hash, else from the store (and
    /// kept). Without a hash the store is always asked.
    func object(_ key: String, hash: String?, from store: S3Client) async throws -> Data {
        if let hash, let bytes = bytes(key: key, hash: hash) { return bytes }
        let bytes = try await InvocationRecord.stage("s3.get") { try await store.getObject(key: key) }
        if let hash { keep(bytes, key: key, hash: hash) }
        return bytes
    }
}
