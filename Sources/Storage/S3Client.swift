import AsyncHTTPClient
import Crypto
import NIOCore
import NIOHTTP1
import NIOFoundationCompat

import Foundation

/// A small S3 client: the object calls this service needs, signed with SigV4, over AsyncHTTPClient.
public struct S3Client: Sendable {
    public let settings: S3Settings
    private let signer: SigV4Signer
    private let httpClient: HTTPClient

    /// The object store's own HTTP client: a connection is made within 2 s or the call fails. AsyncHTTPClient
    /// retries a refused connection until its connect timeout, and the shared client's default held a call to
    /// a store that is down for as long as the function's own timeout (a 504); with this one it is a prompt 503.
    public static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(2)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    public init(settings: S3Settings, httpClient: HTTPClient = S3Client.defaultHTTPClient) {
        self.settings = settings
        self.signer = SigV4Signer(
            accessKeyID: settings.accessKeyID, secretAccessKey: settings.secretAccessKey,
            sessionToken: settings.sessionToken, region: settings.region
        )
        self.httpClient = httpClient
    }

    /// Succeeds when the bucket exists and the credentials may use it.
    public func headBucket() async throws(StorageError) {
        let response = try await send(.HEAD, key: "", body: nil, timeout: .seconds(3))
        guard response.status == .ok else {
            throw StorageError(.objectStoreRejected, "the bucket answered HEAD with \(response.status.code)")
        }
    }

    /// Creates the bucket; an existing bucket owned by us is not an error.
    public func createBucket() async throws(StorageError) {
        let response = try await send(.PUT, key: "", body: nil, timeout: .seconds(10))
        guard response.status == .ok || response.status == .conflict else {
            throw StorageError(.objectStoreRejected, "creating the bucket answered \(response.status.code)")
        }
    }

    /// Deletes the bucket and whatever it still holds (SeaweedFS's default; S3 itself refuses a bucket that is not
    /// empty); a missing bucket is not an error. For tests' buckets of their own.
    public func deleteBucket() async throws(StorageError) {
        let response = try await send(.DELETE, key: "", body: nil, timeout: .seconds(30))
        guard response.status == .noContent || response.status == .ok || response.status == .notFound else {
            throw StorageError(.objectStoreRejected, "deleting the bucket answered \(response.status.code)")
        }
    }

    public func putObject(key: String, body: Data, contentType: String) async throws(StorageError) {
        let response = try await send(.PUT, key: key, body: body, headers: [("content-type", contentType)], timeout: .seconds(60))
        guard response.status == .ok else {
            throw StorageError(.objectStoreRejected, "storing an object answered \(response.status.code)")
        }
    }

    public func getObject(key: String, maxBytes: Int = 256 << 20) async throws(StorageError) -> Data {
        let response = try await send(.GET, key: key, body: nil, timeout: .seconds(60))
        if response.status == .notFound { throw StorageError(.notFound, "no such object") }
        guard response.status == .ok else {
            throw StorageError(.objectStoreRejected, "reading an object answered \(response.status.code)")
        }
        do {
            return Data(buffer: try await response.body.collect(upTo: maxBytes))
        } catch {
            throw StorageError(.unavailable, "the object store stopped sending an object", underlying: error)
        }
    }

    /// An object's bytes as the store sends them, for an answer that passes them on without holding them
    /// (`length` from the store's `Content-Length`). A failure after this returns shows as an error of the body.
    public func getObjectStream(key: String) async throws(StorageError) -> S3ObjectStream {
        let response = try await send(.GET, key: key, body: nil, timeout: .seconds(60))
        if response.status == .notFound { throw StorageError(.notFound, "no such object") }
        guard response.status == .ok else {
            throw StorageError(.objectStoreRejected, "reading an object answered \(response.status.code)")
        }
        return S3ObjectStream(length: response.headers.first(name: "content-length").flatMap(Int.init), body: response.body)
    }

    /// The size of an object, or nil when there is none.
    public func objectSize(key: String) async throws(StorageError) -> Int? {
        let response = try await send(.HEAD, key: key, body: nil, timeout: .seconds(10))
        if response.status == .notFound { return nil }
        guard response.status == .ok, let length = response.headers.first(name: "content-length").flatMap(Int.init) else {
            throw StorageError(.objectStoreRejected, "asking for an object's size answered \(response.status.code)")
        }
        return length
    }

    /// A URL that lets its holder make one kind of request on one object until it expires, without
    /// credentials of their own: SigV4 query authentication, payload unsigned, addressed at the public
    /// endpoint. `headers` are signed, so the request must carry exactly them (S3 checks a signed
    /// `content-length`); `query` holds the operation's parameters (`response-content-type`, ...).
    public func presignedURL(
        _ method: HTTPMethod, key: String, expires: Int, query: [(String, String)] = [], headers: [(String, String)] = [],
        date: Date = Date()
    ) -> String {
        let location = settings.location(key: key, public: true)
        let signed = signer.presignedQuery(
            method: method.rawValue, path: location.path, query: query, headers: [("host", location.host)] + headers,
            expires: expires, date: date
        )
        return location.url + "?" + signed
    }

    /// Deleting a missing object succeeds, as in S3.
    public func deleteObject(key: String) async throws(StorageError) {
        let response = try await send(.DELETE, key: key, body: nil, timeout: .seconds(30))
        guard response.status == .noContent || response.status == .ok || response.status == .notFound else {
            throw StorageError(.objectStoreRejected, "deleting an object answered \(response.status.code)")
        }
    }

    /// One page (up to 1000 keys) of the objects whose keys start with `prefix` (ListObjectsV2).
    public func listObjects(prefix: String, continuationToken: String? = nil) async throws(StorageError) -> S3ObjectPage {
        var query = [("list-type", "2"), ("prefix", prefix)]
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let response = try await send(.GET, key: "", query: query, body: nil, timeout: .seconds(30))
        guard response.status == .ok else {
            throw StorageError(.objectStoreRejected, "listing objects answered \(response.status.code)")
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: 16 << 20)
        } catch {
            throw StorageError(.unavailable, "the object store stopped sending a listing", underlying: error)
        }
        return try S3ListingParser.parse(Data(buffer: body))
    }

    /// Signs and sends one request; for bodiless answers the body is drained here.
    private func send(
        _ method: HTTPMethod, key: String, query: [(String, String)] = [], body: Data?, headers extra: [(String, String)] = [],
        timeout: TimeAmount
    ) async throws(StorageError) -> HTTPClientResponse {
        let location = settings.location(key: key)
        let payloadHash = body.map { SigV4Signer.payloadHash($0) } ?? SigV4Signer.emptyPayloadHash
        var headers = [("host", location.host)] + extra
        if let body { headers.append(("content-length", String(body.count))) }
        let signature = signer.sign(
            method: method.rawValue, path: location.path, query: query, headers: headers, payloadHash: payloadHash
        )

        let queryString = query.map { SigV4Signer.encode($0.0, encodeSlash: true) + "=" + SigV4Signer.encode($0.1, encodeSlash: true) }
            .joined(separator: "&")
        var request = HTTPClientRequest(url: queryString.isEmpty ? location.url : location.url + "?" + queryString)
        request.method = method
        for (name, value) in extra + signature { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            if method != .GET || response.status != .ok {
                _ = try? await response.body.collect(upTo: 1 << 20)
            }
            return response
        } catch {
            throw StorageError(.unavailable, "the object store is unreachable", underlying: error)
        }
    }
}

/// An object being read: its length and its bytes as they arrive.
public struct S3ObjectStream: Sendable {
    public let length: Int?
    public let body: HTTPClientResponse.Body
}
