import Foundation
import Imaging
import PostgresNIO
import Storage
import Testing

/// Originals stored as fast masters: a progressive JPEG upload is served back as a baseline JPEG with exactly
/// its pixels, and one stored before fast masters (staged behind the service's back) is rewritten by the
/// sweeper under a new key, its row moved in one statement, its old object removed by the next orphan pass.
@Suite struct FastMastersEndToEndTests {
    typealias I = ImagesEndToEndTests
    let missing = MissingBytesEndToEndTests()

    /// Whether a JPEG's frame header says progressive (SOF2), read from its markers.
    static func isProgressive(_ jpeg: Data) -> Bool {
        let bytes = [UInt8](jpeg)
        var i = 2
        while i + 4 <= bytes.count, bytes[i] == 0xFF {
            if bytes[i + 1] == 0xC2 { return true }
            if bytes[i + 1] == 0xDA { return false }
            i += 2 + (Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]))
        }
        return false
    }

    @Test func uploadsAreMastersAndTheSweeperRemastersOlderOriginals() async throws {
        try await RuntimeHarness.withBucket("masters") { store in
            try await PresignedTransferEndToEndTests().withService(
                environment: ["S3_BUCKET": store.settings.bucket, "SWEEP_ORPHANS_AFTER_SECONDS": "0"]
            ) { h, databaseURL in
                let alice = try await I.signUp(h, "alice")
                let progressive = Data(try I.photo("life_by_Aitzol_Berasategi.jpg"))
                #expect(Self.isProgressive(progressive))
                let life = try await missing.upload(alice, "life_by_Aitzol_Berasategi.jpg")
                let gulp = try await missing.upload(alice, "Gulp.png")

                // Stored at upload as a baseline master with the upload's exact pixels.
                let served = try await h.request(.GET, "/images/\(life)", headers: alice.auth)
                #expect(served.status == 200)
                #expect(!Self.isProgressive(served.body))
                #expect(try ImageComparison.maximumAbsoluteDifference([UInt8](progressive), [UInt8](served.body)) == 0)

                // An original from before fast masters: the progressive bytes as uploaded, checked by the sweeper.
                let key = "originals/\(alice.userID)/\(life)"
                try await store.putObject(key: key, body: progressive, contentType: "image/jpeg")
                try await ScratchDatabase.execute(databaseURL, [
                    "UPDATE images SET master_pending = true, size_bytes = \(progressive.count), content_hash = 'legacy' WHERE id = \(UUID(uuidString: life)!)",
                    "UPDATE images SET master_pending = true WHERE id = \(UUID(uuidString: gulp)!)",
                ])
                let legacy = try await h.request(.GET, "/images/\(life)?redirect=1", headers: alice.auth)
                let legacyTag = try #require(legacy.header("etag"))

                let report = try await missing.sweep(h)
                #expect(report["masters_checked"] as? Int == 2, "\(report)")
                #expect(report["originals_remastered"] as? Int == 1, "\(report)")
                #expect((report["errors"] as? [Any])?.isEmpty == true, "\(report)")
                let remastered = try await h.request(.GET, "/images/\(life)", headers: alice.auth)
                #expect(remastered.status == 200)
                #expect(!Self.isProgressive(remastered.body))
                #expect(try ImageComparison.maximumAbsoluteDifference([UInt8](progressive), [UInt8](remastered.body)) == 0)
                #expect(remastered.header("etag") != legacyTag)
                let metadata = try await h.request(.GET, "/images/\(life)/metadata", headers: alice.auth).json()
                #expect(metadata["size_bytes"] as? Int == remastered.body.count)
                #expect(try await store.objectSize(key: key + ".master") == remastered.body.count)
                #expect(try await h.request(.GET, "/images/\(gulp)", headers: alice.auth).status == 200)

                // Checked once: the next run finds nothing to do and removes the old object.
                let next = try await missing.sweep(h)
                #expect(next["masters_checked"] as? Int == 0, "\(next)")
                #expect(try await store.objectSize(key: key) == nil)
                #expect(try await h.request(.GET, "/images/\(life)", headers: alice.auth).body == remastered.body)
            }
        }
    }
}
