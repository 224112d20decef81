import Foundation

/// Where the object store is and how to address it. Works with AWS S3, SeaweedFS, Ceph RGW, MinIO and R2.
public struct S3Settings: Sendable, Equatable {
    /// `http://127.0.0.1:9000` or `https://s3.eu-west-1.amazonaws.com`.
    public var endpoint: String
    public var region: String
    public var bucket: String
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// Path-style (`endpoint/bucket/key`) or virtual-hosted (`bucket.endpoint/key`) addressing.
    public var pathStyle: Bool
    /// The endpoint clients reach for presigned URLs, when it is not `endpoint` (a store behind another name).
    public var publicEndpoint: String?

    public init(
        endpoint: String, region: String, bucket: String, accessKeyID: String, secretAccessKey: String,
        sessionToken: String? = nil, pathStyle: Bool, publicEndpoint: String? = nil
    ) throws(StorageError) {
        guard let url = URLComponents(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw StorageError(.invalidConfiguration, "S3_ENDPOINT must be an http or https URL")
        }
        guard !bucket.isEmpty, !region.isEmpty else {
            throw StorageError(.invalidConfiguration, "S3_BUCKET and S3_REGION must be set")
        }
        if let publicEndpoint {
            guard let url = URLComponents(string: publicEndpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw StorageError(.invalidConfiguration, "S3_PUBLIC_ENDPOINT must be an http or https URL")
            }
        }
        func trimmed(_ url: String) -> String {
            var url = url
            while url.hasSuffix("/") { url.removeLast() }
            return url
        }
        self.endpoint = trimmed(endpoint)
        self.publicEndpoint = publicEndpoint.map(trimmed)
        self.region = region
        self.bucket = bucket
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.pathStyle = pathStyle
    }

    /// The URL of an object (or of the bucket when `key` is empty), with the key percent-encoded, and the
    /// `Host` header value that goes with it.
    func location(key: String, public: Bool = false) -> (url: String, host: String, path: String) {
        let components = URLComponents(string: `public` ? publicEndpoint ?? endpoint : endpoint)!
        let scheme = components.scheme!
        let port = components.port.map { ":\($0)" } ?? ""
        let encodedKey = SigV4Signer.encode(key, encodeSlash: false)
        if pathStyle {
            let host = components.host! + port
            let path = "/\(bucket)" + (key.isEmpty ? "" : "/\(encodedKey)")
            return ("\(scheme)://\(host)\(path)", host, path)
        } else {
            let host = "\(bucket).\(components.host!)\(port)"
            let path = "/\(encodedKey)"
            return ("\(scheme)://\(host)\(path)", host, path)
        }
    }
}
