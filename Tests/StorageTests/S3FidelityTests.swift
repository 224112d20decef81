import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Storage
import Testing

/// What a real S3 server refuses, checked against the one the tests run (SeaweedFS, as in development): each
/// test fails if the server accepted. moto, the server before it, accepted all four.
@Suite struct S3FidelityTests {
    let client: S3Client

    init() throws {
        client = try S3ClientTests().client
    }

    func send(_ url: String, method: HTTPMethod = .GET, body: Data? = nil) async throws -> (status: Int, text: String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return (Int(response.status.code), text)
    }

    @Test func aWrongSecretIsRefused() async throws {
        var wrong = client.settings
        wrong.secretAccessKey += "x"
        let error = await #expect(throws: StorageError.self) { try await S3Client(settings: wrong).headBucket() }
        #expect(error?.code == .objectStoreRejected)
        let put = await #expect(throws: StorageError.self) {
            try await S3Client(settings: wrong).putObject(key: "tests/\(UUID().uuidString)", body: Data("x".utf8), contentType: "image/png")
        }
        #expect(put?.code == .objectStoreRejected)
        // An unsigned request is refused too: the bucket is not public.
        #expect(try await send(client.settings.endpoint + "/" + client.settings.bucket + "/").status == 403)
    }

    /// The presigned PUT of an upload signs its content-length: other bytes are refused at the PUT, and nothing
    /// is stored; the signed length goes in.
    @Test func aPresignedPutOfAnotherLengthIsRefused() async throws {
        let key = "tests/\(UUID().uuidString)/upload"
        let url = client.presignedURL(.PUT, key: key, expires: 60, headers: [("content-length", "1000")])
        let short = try await send(url, method: .PUT, body: Data(repeating: 7, count: 999))
        #expect(short.status == 403, "\(short.text)")
        let long = try await send(url, method: .PUT, body: Data(repeating: 7, count: 1001))
        #expect(long.status == 403, "\(long.text)")
        #expect(try await client.objectSize(key: key) == nil)
        #expect(try await send(url, method: .PUT, body: Data(repeating: 7, count: 1000)).status == 200)
        #expect(try await client.objectSize(key: key) == 1000)
        try await client.deleteObject(key: key)
    }

    @Test func anExpiredPresignedURLIsRefused() async throws {
        let key = "tests/\(UUID().uuidString)/expiring"
        try await client.putObject(key: key, body: Data("kept".utf8), contentType: "text/plain")
        // Signed two minutes ago for one minute: expired a minute ago.
        let expired = client.presignedURL(.GET, key: key, expires: 60, date: Date().addingTimeInterval(-120))
        let answer = try await send(expired)
        #expect(answer.status == 403, "\(answer.text)")
        #expect(try await send(client.presignedURL(.GET, key: key, expires: 60)).status == 200)
        try await client.deleteObject(key: key)
    }

    @Test func aTamperedPresignedURLIsRefused() async throws {
        let key = "tests/\(UUID().uuidString)/mine"
        let other = "tests/\(UUID().uuidString)/other"
        try await client.putObject(key: key, body: Data("mine".utf8), contentType: "text/plain")
        try await client.putObject(key: other, body: Data("other".utf8), contentType: "text/plain")
        let url = client.presignedURL(.GET, key: key, expires: 60)
        #expect(try await send(url.replacingOccurrences(of: key, with: other)).status == 403)
        #expect(try await send(url.replacingOccurrences(of: "X-Amz-Expires=60", with: "X-Amz-Expires=600")).status == 403)
        #expect(try await send(url).text == "mine")
        try await client.deleteObject(key: key)
        try await client.deleteObject(key: other)
    }
}
