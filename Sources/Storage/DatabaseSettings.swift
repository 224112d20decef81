import NIOSSL
import PostgresNIO

import Foundation

/// Where PostgreSQL is, from a `postgres://user:password@host:port/database?sslmode=…&sslrootcert=…` URL.
/// `sslmode` takes libpq's values; RDS needs TLS (`require`, or `verify-full` with the RDS CA bundle as
/// `sslrootcert`).
public struct DatabaseSettings: Sendable, Equatable {
    /// libpq's `sslmode`, as postgres-nio can honour it.
    public enum TLSMode: String, Sendable, Equatable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, without verifying the certificate (libpq's default; `allow` too).
        case prefer
        /// TLS or no connection; the certificate is not verified.
        case require
        /// TLS with the certificate verified against the CA (`sslrootcert`, else the system's), any host name.
        case verifyCA = "verify-ca"
        /// As verify-ca, and the certificate must name the host.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String
    public var database: String
    public var tls: TLSMode
    /// A PEM file of CA certificates for verify-ca and verify-full; nil uses the system's trust store.
    public var rootCertificatePath: String?

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
        var tls = TLSMode.prefer
        var rootCertificatePath: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                let value = item.value ?? ""
                guard let mode = value == "allow" ? .prefer : TLSMode(rawValue: value) else {
                    throw StorageError(
                        .invalidConfiguration,
                        "DATABASE_URL's sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full"
                    )
                }
                tls = mode
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty, FileManager.default.isReadableFile(atPath: value) else {
                    throw StorageError(.invalidConfiguration, "DATABASE_URL's sslrootcert must name a readable PEM file")
                }
                rootCertificatePath = value
            default:
                throw StorageError(.invalidConfiguration, "DATABASE_URL takes only the sslmode and sslrootcert parameters")
            }
        }
        self.tls = tls
        self.rootCertificatePath = rootCertificatePath
    }

    /// A pool configuration for postgres-nio.
    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: clientTLS
        )
        configuration.options.connectTimeout = .seconds(3)
        return configuration
    }

    private var clientTLS: PostgresClient.Configuration.TLS {
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        if let rootCertificatePath { tlsConfiguration.trustRoots = .file(rootCertificatePath) }
        switch tls {
        case .disable:
            return .disable
        case .prefer:
            tlsConfiguration.certificateVerification = .none
            return .prefer(tlsConfiguration)
        case .require:
            tlsConfiguration.certificateVerification = .none
            return .require(tlsConfiguration)
        case .verifyCA:
            tlsConfiguration.certificateVerification = .noHostnameVerification
            return .require(tlsConfiguration)
        case .verifyFull:
            tlsConfiguration.certificateVerification = .fullVerification
            return .require(tlsConfiguration)
        }
    }
}
