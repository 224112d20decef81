import PostgresNIO

import Foundation

/// Where PostgreSQL is, from a `postgres://user:password@host:port/database` URL.
public struct DatabaseSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String
    public var database: String

    public init(url: String) throws(StorageError) {
        guard let components = URLComponents(string: url),
            ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty,
            let username = components.user, !username.isEmpty
        else {
            throw StorageError(.invalidConfiguration, "DATABASE_URL must look like postgres://user:password@host:port/database")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username.removingPercentEncoding ?? username
        self.password = (components.password ?? "").removingPercentEncoding ?? ""
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? username : path
    }

    /// A pool configuration for postgres-nio; TLS off, since the dev database listens on loopback only.
    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: .disable
        )
        configuration.options.connectTimeout = .seconds(3)
        return configuration
    }
}
