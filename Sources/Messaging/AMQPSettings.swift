import Foundation

/// Where the broker is, from an `amqp://user:password@host:port/vhost` URL (the vhost percent-encoded,
/// `%2F` for `/`), or `amqps://…` for TLS, as Amazon MQ requires. With `amqps` the broker's certificate and
/// host name are verified against `cacertfile` (a query parameter, as in RabbitMQ's URI spec) or the system's
/// CA bundle; `verify=verify_none` turns verification off.
public struct AMQPSettings: Sendable, Equatable {
    /// TLS on the connection.
    public struct TLS: Sendable, Equatable {
        /// A PEM file of CA certificates; nil for the system's bundle.
        public var caFile: String?
        public var verifyPeer: Bool

        public init(caFile: String? = nil, verifyPeer: Bool = true) {
            self.caFile = caFile
            self.verifyPeer = verifyPeer
        }

        /// Where Debian, Amazon Linux and Alpine keep the system's CA bundle.
        static let systemBundles = [
            "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem",
        ]

        /// The CA file to verify with: the one given, else the first system bundle that exists.
        var effectiveCAFile: String? {
            caFile ?? Self.systemBundles.first { FileManager.default.isReadableFile(atPath: $0) }
        }
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String
    public var vhost: String
    /// nil for plain TCP (`amqp://`).
    public var tls: TLS?

    public init(host: String, port: Int, username: String, password: String, vhost: String, tls: TLS? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.vhost = vhost
        self.tls = tls
    }

    public init(url: String) throws(MessagingError) {
        guard let components = URLComponents(string: url), ["amqp", "amqps"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty
        else {
            throw MessagingError(.invalidConfiguration, "AMQP_URL must look like amqp://user:password@host:port/vhost (or amqps://)")
        }
        var tls: TLS? = components.scheme == "amqps" ? TLS() : nil
        for item in components.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("cacertfile", let path) where tls != nil:
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw MessagingError(.invalidConfiguration, "AMQP_URL's cacertfile must name a readable PEM file")
                }
                tls?.caFile = path
            case ("verify", "verify_peer") where tls != nil:
                tls?.verifyPeer = true
            case ("verify", "verify_none") where tls != nil:
                tls?.verifyPeer = false
            default:
                throw MessagingError(
                    .invalidConfiguration, "AMQP_URL takes only cacertfile and verify=verify_peer|verify_none, with amqps://"
                )
            }
        }
        let rawPath = components.percentEncodedPath
        let vhostPart = rawPath.hasPrefix("/") ? String(rawPath.dropFirst()) : rawPath
        self.init(
            host: host,
            port: components.port ?? (tls == nil ? 5672 : 5671),
            username: (components.user ?? "guest").removingPercentEncoding ?? "guest",
            password: (components.password ?? "guest").removingPercentEncoding ?? "guest",
            vhost: vhostPart.isEmpty ? "/" : (vhostPart.removingPercentEncoding ?? vhostPart),
            tls: tls
        )
    }
}
