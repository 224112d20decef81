import ChildProcess
import Foundation
import Testing
@testable import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The cache tier of `infra/dev/run`, Varnish with `infra/dev/cache/default.vcl`, in front of local-runtime, as
/// CloudFront is in front of the functions in AWS: what it keeps, what it never keeps, one origin request for
/// concurrent misses, and a deletion that takes the cached answers out.
@Suite struct CacheTierEndToEndTests {
    typealias I = ImagesEndToEndTests

    /// A port nothing listens on now (the kernel's choice for a socket bound to port 0).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs `infra/dev/cache/run up|down` for a cache of its own in front of `runtimePort`.
    static func cache(_ command: String, directory: URL, cachePort: Int, runtimePort: Int) async throws {
        let script = OwnServices.root.appendingPathComponent("infra/dev/cache/run").path
        let environment = ProcessInfo.processInfo.environment.merging([
            "IF_DEV_DIR": directory.path, "IF_CACHE_PORT": String(cachePort), "IF_RUNTIME_PORT": String(runtimePort),
        ]) { $1 }
        let run = try await ChildProcess.run("/usr/bin/env", ["bash", script, command], environment: environment, output: .captureMerged)
        try #require(run.status == 0, "infra/dev/cache/run \(command): \(run.text)")
    }

    @Test func signedAnswersAreKeptBearerAndErrorAnswersNeverAndADeletionBansThem() async throws {
        let cachePort = try Self.freePort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cache-tier-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await PresignedTransferEndToEndTests().withService(environment: ["CACHE_PURGE_URL": "http://127.0.0.1:\(cachePort)"]) { h, _ in
            let runtimePort = try #require(URL(string: h.baseURL)?.port)
            try await Self.cache("up", directory: directory, cachePort: cachePort, runtimePort: runtimePort)
            do {
                try await Self.check(h, cache: "http://127.0.0.1:\(cachePort)")
            } catch {
                try? await Self.cache("down", directory: directory, cachePort: cachePort, runtimePort: runtimePort)
                throw error
            }
            try await Self.cache("down", directory: directory, cachePort: cachePort, runtimePort: runtimePort)
        }
    }

    static func check(_ h: RuntimeHarness, cache: String) async throws {
        let alice = try await I.signUp(h, "alice")
        let id = try #require(try await alice.upload(try I.photo("Dune.jpg")).json()["id"] as? String)
        func sign(_ options: String) async throws -> String {
            let signed = try await h.request(
                .POST, "/images/\(id)/signed-url", body: Data(#"{"options":"\#(options)"}"#.utf8),
                headers: alice.auth + [("Content-Type", "application/json")]
            )
            return try #require(try signed.json()["url"] as? String)
        }
        func get(_ path: String, _ headers: [(String, String)] = []) async throws -> RuntimeHarness.Reply {
            try await RuntimeHarness.fetch(cache + path, headers: headers)
        }

        // A signed URL's answer is public: the first GET goes to the functions, the next is the cache's.
        let url = try await sign("w_200")
        let first = try await get(url)
        #expect(first.status == 200 && first.header("x-cache") == "MISS")
        #expect(first.header("cache-control")?.hasPrefix("public") == true)
        let second = try await get(url)
        #expect(second.status == 200 && second.header("x-cache") == "HIT")
        #expect(second.body == first.body && second.header("etag") == first.header("etag"))
        #expect(second.header("age") != nil)

        // A display rendition's URL (from the listing) is kept as well: the gallery's tiles come from the cache.
        let listed = try await h.request(.GET, "/images", headers: alice.auth).json()
        let tile = try #require(((listed["items"] as? [[String: Any]])?.first?["display_urls"] as? [String: String])?["thumbnail"])
        let tileFirst = try await get(tile)
        #expect(tileFirst.status == 200 && tileFirst.header("x-cache") == "MISS")
        let tileSecond = try await get(tile)
        #expect(tileSecond.status == 200 && tileSecond.header("x-cache") == "HIT" && tileSecond.body == tileFirst.body)

        // fmt_auto: one copy per class of Accept (AVIF, WebP, neither), whatever else the browser's string says.
        let auto = try await sign("w_200,fmt_auto")
        let chrome = try await get(auto, [("Accept", "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8")])
        #expect(chrome.header("content-type") == "image/avif" && chrome.header("x-cache") == "MISS")
        let otherAVIF = try await get(auto, [("Accept", "image/webp, image/avif;q=0.9, */*")])
        #expect(otherAVIF.header("content-type") == "image/avif" && otherAVIF.header("x-cache") == "HIT")
        let safari = try await get(auto, [("Accept", "image/webp,image/png,image/*;q=0.8,*/*;q=0.5")])
        #expect(safari.header("content-type") == "image/webp" && safari.header("x-cache") == "MISS")
        let refusesAVIF = try await get(auto, [("Accept", "image/avif;q=0,image/webp")])
        #expect(refusesAVIF.header("content-type") == "image/webp" && refusesAVIF.header("x-cache") == "HIT")
        let plain = try await get(auto, [("Accept", "*/*")])
        #expect(plain.header("content-type") == "image/jpeg" && plain.header("x-cache") == "MISS")

        // A bearer's answer is never kept, nor is an error.
        let path = "/images/\(id)/t/w_200"
        for _ in 0..<2 {
            let bearer = try await get(path, alice.auth)
            #expect(bearer.status == 200 && bearer.header("x-cache") == "MISS")
            #expect(bearer.header("cache-control")?.hasPrefix("private") == true)
            let forged = try await get(url.replacingOccurrences(of: "signature=", with: "signature=x"))
            #expect(forged.status == 403 && forged.header("x-cache") == "MISS")
        }

        // Concurrent misses of one URL: one goes to the functions, the others wait for its answer.
        let fresh = try await sign("w_150")
        let answers = try await withThrowingTaskGroup(of: RuntimeHarness.Reply.self) { group in
            for _ in 0..<6 { group.addTask { try await get(fresh) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.allSatisfy { $0.status == 200 && $0.body == answers[0].body })
        #expect(answers.filter { $0.header("x-cache") == "MISS" }.count == 1, "\(answers.map { $0.header("x-cache") ?? "-" })")
        let variants = try await h.request(.GET, "/images/\(id)/variants", headers: alice.auth).json()
        // w_200 (which fmt_auto's JPEG for this JPEG is), fmt_auto's AVIF and WebP, w_150: each made once (the
        // display rendition is the service's own, not listed).
        #expect(variants["total"] as? Int == 4)

        // A deletion queues a ban of the image's answers: within seconds every signed URL is the functions'
        // 404, not a cached copy.
        #expect(try await h.request(.DELETE, "/images/\(id)", headers: alice.auth).status == 204)
        for gone in [url, auto, fresh, tile] {
            let purged = try await h.eventually(timeout: .seconds(10)) {
                try await get(gone, [("Accept", "image/avif,image/webp")]).status == 404
            }
            #expect(purged, "\(gone) still served after the delete")
            let after = try await get(gone)
            #expect(after.status == 404 && after.header("x-cache") == "MISS", "\(gone): \(after.status) \(after.header("x-cache") ?? "-")")
        }
    }
}
