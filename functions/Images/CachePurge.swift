import AsyncHTTPClient
import Foundation
import FunctionRuntime
import NIOCore
import Storage

/// Takes a deleted image's answers out of the cache tier in front of the functions, so a deleted photo stops
/// serving within seconds rather than when its signed URLs expire: a ban of the image's paths in Varnish
/// locally (`CACHE_PURGE_URL`, see `infra/dev/cache/default.vcl`), a CloudFront invalidation in AWS
/// (`CLOUDFRONT_DISTRIBUTION_ID`, with the function's role credentials). The `cache-purge` function sends it
/// for each message a deletion queues (`CachePurgeFunction`).
struct CachePurge: Sendable {
    enum Target: Sendable, Equatable {
        /// `BAN /` with `X-Ban-Image: <id>` to this base URL.
        case varnish(String)
        case cloudFront(distributionID: String, credentials: AWSCredentials)
    }

    struct AWSCredentials: Sendable, Equatable {
        var accessKeyID: String
        var secretAccessKey: String
        var sessionToken: String?
    }

    let target: Target

    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(5))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The paths an image is served under: its bytes by both spellings, and every signed transformation URL
    /// of it (the only ones a shared cache keeps).
    static func paths(of image: UUID) -> [String] {
        let id = image.uuidString.lowercased()
        return ["/images/\(id)", "/images/\(id)/*", "/image/\(id)"]
    }

    struct Refused: Error, CustomStringConvertible {
        var status: UInt
        var description: String { "the cache tier answered \(status)" }
    }

    /// Purges one image's paths; throws when the cache tier does not take it.
    func purge(_ id: UUID) async throws {
        let request = try self.request(for: id, date: Date())
        let response = try await Self.client.execute(request, timeout: .seconds(5))
        _ = try? await response.body.collect(upTo: 1 << 16)
        guard (200..<300).contains(Int(response.status.code)) else { throw Refused(status: response.status.code) }
    }

    func request(for id: UUID, date: Date) throws -> HTTPClientRequest {
        switch target {
        case .varnish(let base):
            var request = HTTPClientRequest(url: base.hasSuffix("/") ? base : base + "/")
            request.method = .RAW(value: "BAN")
            request.headers.add(name: "X-Ban-Image", value: id.uuidString.lowercased())
            return request
        case .cloudFront(let distributionID, let credentials):
            // CreateInvalidation (REST-XML, API version 2020-05-31), signed for CloudFront's global endpoint.
            let path = "/2020-05-31/distribution/\(SigV4Signer.encode(distributionID, encodeSlash: true))/invalidation"
            let body = Data(Self.invalidationBatch(paths: Self.paths(of: id), reference: "delete-\(id.uuidString.lowercased())-\(Int(date.timeIntervalSince1970))").utf8)
            let signer = SigV4Signer(
                accessKeyID: credentials.accessKeyID, secretAccessKey: credentials.secretAccessKey,
                sessionToken: credentials.sessionToken, region: "us-east-1", service: "cloudfront"
            )
            let host = "cloudfront.amazonaws.com"
            let headers = [("host", host), ("content-type", "application/xml")]
            let signed = signer.sign(method: "POST", path: path, headers: headers, payloadHash: SigV4Signer.payloadHash(body), date: date)
            var request = HTTPClientRequest(url: "https://\(host)\(path)")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/xml")
            for (name, value) in signed { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: body))
            return request
        }
    }

    static func invalidationBatch(paths: [String], reference: String) -> String {
        let items = paths.map { "<Path>\($0)</Path>" }.joined()
        return #"<?xml version="1.0" encoding="UTF-8"?><InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">"#
            + "<Paths><Quantity>\(paths.count)</Quantity><Items>\(items)</Items></Paths><CallerReference>\(reference)</CallerReference></InvalidationBatch>"
    }
}
