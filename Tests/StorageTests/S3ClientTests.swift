import Foundation
import Storage
import Testing

/// The S3 client against the local S3-compatible server (moto) that infra/dev/services starts.
@Suite struct S3ClientTests {
    let client: S3Client

    init() throws {
        let env = ProcessInfo.processInfo.environment
        let endpoint = try #require(env["S3_ENDPOINT"], "S3_ENDPOINT is not set: run the tests with infra/dev/test")
        client = S3Client(settings: try S3Settings(
            endpoint: endpoint, region: env["S3_REGION"] ?? "us-east-1", bucket: env["S3_BUCKET"] ?? "images",
            accessKeyID: env["S3_ACCESS_KEY_ID"] ?? "x", secretAccessKey: env["S3_SECRET_ACCESS_KEY"] ?? "y", pathStyle: true
        ))
    }

    @Test func bucketAnswersHead() async throws {
        try await client.headBucket()
    }

    @Test func putGetDeleteRoundTrip() async throws {
        let key = "tests/\(UUID().uuidString)/a b+c.jpg"
        let bytes = Data((0..<100_000).map { UInt8($0 % 251) })
        try await client.putObject(key: key, body: bytes, contentType: "image/jpeg")
        #expect(try await client.getObject(key: key) == bytes)
        try await client.deleteObject(key: key)
        await #expect(throws: StorageError.self) { try await client.getObject(key: key) }
        try await client.deleteObject(key: key)  // deleting twice is fine
    }

    @Test func missingBucketIsAnError() async throws {
        var settings = client.settings
        settings.bucket = "no-such-bucket-\(UUID().uuidString.prefix(8).lowercased())"
        await #expect(throws: StorageError.self) { try await S3Client(settings: settings).headBucket() }
    }

    @Test func unreachableStoreIsUnavailable() async throws {
        let settings = try S3Settings(endpoint: "http://127.0.0.1:1", region: "us-east-1", bucket: "b", accessKeyID: "a", secretAccessKey: "s", pathStyle: true)
        let error = await #expect(throws: StorageError.self) { try await S3Client(settings: settings).headBucket() }
        #expect(error?.code == .unavailable)
        #expect(error?.description.contains("secret") == false)
    }

    @Test func addressesPathStyleAndVirtualHosted() throws {
        let virtual = try S3Settings(endpoint: "https://s3.eu-west-1.amazonaws.com", region: "eu-west-1", bucket: "pics", accessKeyID: "a", secretAccessKey: "s", pathStyle: false)
        #expect(throws: StorageError.self) { try S3Settings(endpoint: "ftp://x", region: "r", bucket: "b", accessKeyID: "a", secretAccessKey: "s", pathStyle: true) }
        #expect(virtual.endpoint == "https://s3.eu-west-1.amazonaws.com")
    }
}
