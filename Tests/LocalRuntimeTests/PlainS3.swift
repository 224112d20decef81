import ChildProcess
import Foundation
import Testing

/// The test object store asked directly by curl, with curl's own SigV4 (not our S3 client): what the store
/// itself holds, for tests that check that bytes are really gone.
enum PlainS3 {
    /// GET of `path` (bucket, key and query, e.g. `images?prefix=variants/`): the status and the body.
    static func get(_ path: String) async throws -> (status: Int, body: String) {
        let env = ProcessInfo.processInfo.environment
        let endpoint = try #require(env["S3_ENDPOINT"], "S3_ENDPOINT is not set: run the tests with infra/dev/test")
        let credentials = "\(env["S3_ACCESS_KEY_ID"] ?? ""):\(env["S3_SECRET_ACCESS_KEY"] ?? "")"
        let result = try await ChildProcess.run(
            "/usr/bin/env",
            ["curl", "-sS", "-w", "\n%{http_code}", "--aws-sigv4", "aws:amz:\(env["S3_REGION"] ?? "us-east-1"):s3", "--user", credentials, "\(endpoint)/\(path)"],
            output: .captureMerged
        )
        let text = result.text
        let split = try #require(text.lastIndex(of: "\n"), "curl printed no status: \(text)")
        return (Int(text[text.index(after: split)...].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, String(text[..<split]))
    }

    /// Whether the store lists no key under `prefix` of the test bucket (and answered the listing).
    static func nothingListed(under prefix: String) async throws -> Bool {
        let bucket = ProcessInfo.processInfo.environment["S3_BUCKET"] ?? "images"
        // Encoded as SigV4's canonical query wants it: curl signs the query as given.
        let encoded = prefix.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? prefix
        let listing = try await get("\(bucket)?list-type=2&prefix=\(encoded)")
        #expect(listing.status == 200, "\(listing.body.prefix(300))")
        return listing.body.contains("<ListBucketResult") && !listing.body.contains("<Key>")
    }
}
