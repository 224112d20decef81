import Foundation

/// Where the broker is, from an `amqp://user:password@host:port/vhost` URL (the vhost percent-encoded,
/// `%2F` for `/`).
public struct AMQPSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String
    public var vhost: String

    public init(host: String, port: Int, username: String, password: String, vhost: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.vhost = vhost
    }

    public init(url: String) throws(MessagingError) {
        guard let components = URLComponents(string: url), components.scheme == "amqp",
            let host = components.host, !host.isEmpty
        else {
            throw MessagingError(.invalidConfiguration, "AMQP_URL must look like amqp://user:password@host:port/vhost")
        }
        let rawPath = components.percentEncodedPath
        let vhostPart = rawPath.hasPrefix("/") ? String(rawPath.dropFirst()) : rawPath
        self.init(
            host: host,
            port: components.port ?? 5672,
            username: (components.user ?? "guest").removingPercentEncoding ?? "guest",
            password: (components.password ?? "guest").removingPercentEncoding ?? "guest",
            vhost: vhostPart.isEmpty ? "/" : (vhostPart.removingPercentEncoding ?? vhostPart)
        )
    }
}
