import Foundation
@testable import Functions
import Testing

/// The in-process object cache: keyed by key and content hash, bounded by its budget, least recently used
/// out first, and never holding one object that would crowd out the rest.
@Suite struct ObjectCacheTests {
    @Test func entriesAreFoundOnlyUnderTheirHash() {
        let cache = ObjectCache(budgetBytes: 1000)
        cache.keep(Data(repeating: 1, count: 10), key: "variants/a", hash: "h1")
        #expect(cache.bytes(key: "variants/a", hash: "h1") == Data(repeating: 1, count: 10))
        // The same key with other bytes (a row that names another hash) is not served the old bytes.
        #expect(cache.bytes(key: "variants/a", hash: "h2") == nil)
        #expect(cache.bytes(key: "variants/b", hash: "h1") == nil)
    }

    @Test func theLeastRecentlyUsedGoFirstWithinTheBudget() {
        let cache = ObjectCache(budgetBytes: 1000)
        for name in ["a", "b", "c", "d"] { cache.keep(Data(count: 250), key: name, hash: "h") }
        _ = cache.bytes(key: "a", hash: "h")  // a is now the most recent
        cache.keep(Data(count: 250), key: "e", hash: "h")
        #expect(cache.bytes(key: "b", hash: "h") == nil)
        for name in ["a", "c", "d", "e"] { #expect(cache.bytes(key: name, hash: "h") != nil, "\(name)") }
        // Over a quarter of the budget is not kept at all; a budget of 0 keeps nothing.
        cache.keep(Data(count: 251), key: "big", hash: "h")
        #expect(cache.bytes(key: "big", hash: "h") == nil)
        let off = ObjectCache(budgetBytes: 0)
        off.keep(Data(count: 1), key: "a", hash: "h")
        #expect(off.bytes(key: "a", hash: "h") == nil)
    }
}
