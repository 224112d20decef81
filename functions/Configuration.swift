import Messaging
import Storage

/// Every setting the functions read, read once at cold start from the environment and validated.
/// Keys, types and defaults are documented in README.md ("Configuration").
public struct Configuration: Sendable {
    public enum Mode: String, Sendable { case development, production }

    public var mode: Mode
    /// nil when DATABASE_URL is unset; functions that need it fail their init with a clear message.
    public var database: DatabaseSettings?
    public var amqp: AMQPSettings?
    public var s3: S3Settings?
    public var jwtSecret: String?
    /// The HMAC key of signed transformation URLs; nil derives one from `jwtSecret` (see `URLSigner`).
    public var urlSigningKey: String?
    public var transformQueue: String
    /// Deliveries of a job before it is dead-lettered, declared with the queue (`x-delivery-limit`).
    public var queueDeliveryLimit: Int
    /// How long one delivery of a transform job keeps trying again while a dependency is down, before it is
    /// handed back to the broker (`TRANSFORM_RETRY_SECONDS`; within the worker's timeout in any case).
    public var transformRetrySeconds: Double
    public var rateLimits: RateLimitSettings
    public var sweeper: SweeperSettings
    public var webhooks: WebhookSettings
    /// The cache tier that deletions purge (`CACHE_PURGE_URL` or `CLOUDFRONT_DISTRIBUTION_ID`), if any.
    var cachePurge: CachePurge.Target?
    /// `CACHE_PURGE_QUEUE`: where deletions queue purges of the cache tier.
    public var cachePurgeQueue: String
    /// How long a presigned upload URL may be used.
    public var presignedUploadSeconds: Int
    /// How long the presigned URL of a redirected download may be used.
    public var presignedDownloadSeconds: Int
    /// Memory for recently used stored objects in each process (`ObjectCache`); 0 turns it off.
    public var objectCacheBytes: Int
    /// Each user's storage quota in bytes (`STORAGE_QUOTA_BYTES`; unset or `off`: none).
    public var storageQuotaBytes: Int?

    public init(environment: [String: String]) throws {
        func value(_ key: String) -> String? {
            guard let v = environment[key]?.trimmingWhitespace(), !v.isEmpty else { return nil }
            return v
        }
        guard let mode = Mode(rawValue: value("APP_ENV") ?? "development") else {
            throw ConfigurationError("APP_ENV must be 'development' or 'production'")
        }
        self.mode = mode
        self.database = try value("DATABASE_URL").map { try DatabaseSettings(url: $0) }
        self.amqp = try value("AMQP_URL").map { try AMQPSettings(url: $0) }
        self.s3 = try Self.objectStore(value)
        func presignSeconds(_ key: String, default fallback: Int) throws -> Int {
            guard let text = value(key) else { return fallback }
            guard let n = Int(text), (1...604_800).contains(n) else { throw ConfigurationError("\(key) must be 1 to 604800 seconds") }
            return n
        }
        presignedUploadSeconds = try presignSeconds("S3_PRESIGN_UPLOAD_SECONDS", default: 900)
        presignedDownloadSeconds = try presignSeconds("S3_PRESIGN_DOWNLOAD_SECONDS", default: 300)
        if let text = value("OBJECT_CACHE_MB") {
            guard let mb = Int(text), (0...4096).contains(mb) else { throw ConfigurationError("OBJECT_CACHE_MB must be 0 to 4096") }
            objectCacheBytes = mb << 20
        } else {
            // Measured: 128 MB (an eighth of a 1 GB function) kept 21 MB originals in memory, but the
            // url-transform workers then grew to 190-240 MB with sources and variants; objects too large for
            // this budget stream from the store instead (`ImageBytesResponse`).
            objectCacheBytes = 24 << 20
        }
        self.jwtSecret = value("JWT_SECRET")
        if let secret = jwtSecret, secret.utf8.count < 32 {
            throw ConfigurationError("JWT_SECRET must be at least 32 bytes")
        }
        if mode == .production, jwtSecret == nil {
            throw ConfigurationError("JWT_SECRET is required when APP_ENV=production")
        }
        self.urlSigningKey = value("URL_SIGNING_KEY")
        if let key = urlSigningKey, key.utf8.count < 32 {
            throw ConfigurationError("URL_SIGNING_KEY must be at least 32 bytes")
        }
        self.transformQueue = value("TRANSFORM_QUEUE") ?? "image-transforms"
        self.cachePurgeQueue = value("CACHE_PURGE_QUEUE") ?? "cache-purges"
        if let text = value("QUEUE_DELIVERY_LIMIT") {
            guard let limit = Int(text), (1...100).contains(limit) else { throw ConfigurationError("QUEUE_DELIVERY_LIMIT must be 1 to 100") }
            queueDeliveryLimit = limit
        } else {
            queueDeliveryLimit = 3
        }
        func policy(_ key: String, default fallback: RateLimitPolicy) throws -> RateLimitPolicy {
            guard let text = value(key) else { return fallback }
            guard let parsed = RateLimitPolicy(name: fallback.name, text) else {
                throw ConfigurationError("\(key) must look like '60/min burst 20' (or 'off')")
            }
            return parsed
        }
        rateLimits = RateLimitSettings(
            transforms: try policy("RATE_LIMIT_TRANSFORMS", default: RateLimitSettings.standard.transforms),
            uploads: try policy("RATE_LIMIT_UPLOADS", default: RateLimitSettings.standard.uploads),
            logins: try policy("RATE_LIMIT_LOGINS", default: RateLimitSettings.standard.logins),
            previews: try policy("RATE_LIMIT_PREVIEWS", default: RateLimitSettings.standard.previews)
        )
        func seconds(_ key: String, default fallback: Double) throws -> Double {
            guard let text = value(key) else { return fallback }
            guard let n = Double(text), n >= 0, n.isFinite else { throw ConfigurationError("\(key) must be a number of seconds") }
            return n
        }
        sweeper = SweeperSettings(
            outboxGraceSeconds: try seconds("SWEEP_OUTBOX_AFTER_SECONDS", default: 30),
            orphanGraceSeconds: try seconds("SWEEP_ORPHANS_AFTER_SECONDS", default: 3600)
        )
        transformRetrySeconds = try seconds("TRANSFORM_RETRY_SECONDS", default: 40)
        switch value("STORAGE_QUOTA_BYTES") {
        case nil, "off"?: storageQuotaBytes = nil
        case let text?:
            guard let bytes = Int(text), bytes > 0 else { throw ConfigurationError("STORAGE_QUOTA_BYTES must be a number of bytes above 0, or off") }
            storageQuotaBytes = bytes
        }
        if let url = value("CACHE_PURGE_URL") {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw ConfigurationError("CACHE_PURGE_URL must be an http(s) URL") }
            cachePurge = .varnish(url)
        } else if let distribution = value("CLOUDFRONT_DISTRIBUTION_ID") {
            guard let key = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") else {
                throw ConfigurationError("CLOUDFRONT_DISTRIBUTION_ID needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Lambda sets them from the function's role)")
            }
            cachePurge = .cloudFront(
                distributionID: distribution,
                credentials: .init(accessKeyID: key, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
            )
        } else {
            cachePurge = nil
        }
        webhooks = try WebhookSettings(value: value, mode: mode)
    }
}

extension Configuration {
    /// The object store, when `S3_ENDPOINT` or `S3_BUCKET` is set. Without `S3_ENDPOINT` it is AWS S3 in the
    /// region (`S3_REGION`, else Lambda's `AWS_REGION`), virtual-hosted. Credentials are `S3_ACCESS_KEY_ID` and
    /// `S3_SECRET_ACCESS_KEY` (with `S3_SESSION_TOKEN`) when set, else the `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` that Lambda sets from the function's role.
    static func objectStore(_ value: (String) -> String?) throws -> S3Settings? {
        let endpoint = value("S3_ENDPOINT")
        guard endpoint != nil || value("S3_BUCKET") != nil else { return nil }
        let region = value("S3_REGION") ?? value("AWS_REGION") ?? "us-east-1"
        let (key, secret, token): (String, String, String?)
        switch (value("S3_ACCESS_KEY_ID"), value("S3_SECRET_ACCESS_KEY")) {
        case let (s3Key?, s3Secret?):
            (key, secret, token) = (s3Key, s3Secret, value("S3_SESSION_TOKEN"))
        case (nil, nil):
            guard let awsKey = value("AWS_ACCESS_KEY_ID"), let awsSecret = value("AWS_SECRET_ACCESS_KEY") else {
                throw ConfigurationError(
                    "S3 credentials are missing: set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Lambda sets these from the function's role)"
                )
            }
            (key, secret, token) = (awsKey, awsSecret, value("AWS_SESSION_TOKEN"))
        default:
            throw ConfigurationError("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both or neither")
        }
        let pathStyle = value("S3_FORCE_PATH_STYLE").map { ["1", "true", "yes"].contains($0.lowercased()) } ?? (endpoint != nil)
        return try S3Settings(
            endpoint: endpoint ?? "https://s3.\(region).amazonaws.com", region: region, bucket: value("S3_BUCKET") ?? "images",
            accessKeyID: key, secretAccessKey: secret, sessionToken: token, pathStyle: pathStyle,
            publicEndpoint: value("S3_PUBLIC_ENDPOINT")
        )
    }
}

/// A setting is missing or invalid; the message names the key and never echoes a secret.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let first = s.first, first.isWhitespace { s.removeFirst() }
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }
}
