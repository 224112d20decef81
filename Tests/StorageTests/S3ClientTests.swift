import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import Storage
import Testing

/// The S3 client against the local S3 server (SeaweedFS) that infra/dev/services starts.
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

    /// A presigned PUT and GET made with nothing but the URLs (no credentials, no signing of our own), as a
    /// client of the upload and download routes uses them; and the object's size from HEAD.
    @Test func presignedURLsWorkAgainstTheServer() async throws {
        let key = "tests/\(UUID().uuidString)/upload"
        let bytes = Data((0..<300_000).map { UInt8($0 % 253) })
        #expect(try await client.objectSize(key: key) == nil)

        var put = HTTPClientRequest(url: client.presignedURL(.PUT, key: key, expires: 60, headers: [("content-length", String(bytes.count))]))
        put.method = .PUT
        put.headers.add(name: "content-type", value: "image/jpeg")
        put.body = .bytes(ByteBuffer(bytes: bytes))
        let stored = try await HTTPClient.shared.execute(put, timeout: .seconds(30))
        _ = try await stored.body.collect(upTo: 1 << 16)
        #expect(stored.status == .ok)
        #expect(try await client.objectSize(key: key) == bytes.count)

        let url = client.presignedURL(.GET, key: key, expires: 60, query: [("response-content-type", "image/jpeg")])
        #expect(url.hasPrefix(client.settings.endpoint + "/" + client.settings.bucket + "/tests/"))
        #expect(url.contains("X-Amz-Expires=60&") && url.contains("X-Amz-SignedHeaders=host&"))
        let fetched = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        #expect(fetched.status == .ok)
        #expect(Data(buffer: try await fetched.body.collect(upTo: 1 << 20)) == bytes)
        try await client.deleteObject(key: key)
    }

    @Test func presignedURLsUseThePublicEndpoint() throws {
        let settings = try S3Settings(
            endpoint: "http://minio:9000", region: "us-east-1", bucket: "b", accessKeyID: "a", secretAccessKey: "s", pathStyle: true,
            publicEndpoint: "https://files.example.com/"
        )
        let url = S3Client(settings: settings).presignedURL(.GET, key: "k/1", expires: 5)
        #expect(url.hasPrefix("https://files.example.com/b/k/1?X-Amz-Algorithm=AWS4-HMAC-SHA256&"))
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
