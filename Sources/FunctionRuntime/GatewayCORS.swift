import Foundation

/// The API's CORS policy, as the gateway applies it: API Gateway from the template's `CorsConfiguration`
/// (`ApiCorsOrigins`), local-runtime from `CORS_ALLOWED_ORIGINS`. The gateway answers preflights itself and
/// adds the headers to answers for listed origins; other origins get none, and with no origin listed (the
/// default) nothing cross-origin is allowed. The gallery is served from the API's own origin and needs none.
/// TemplateSyncTests keeps the template's lists equal to these.
public struct GatewayCORS: Sendable, Equatable {
    public var allowedOrigins: [String]

    public static let allowMethods = ["DELETE", "GET", "HEAD", "POST"]
    public static let allowHeaders = ["authorization", "content-type", "if-none-match", "prefer"]
    public static let exposeHeaders = ["content-location", "etag", "location", "ratelimit", "ratelimit-policy", "retry-after"]
    public static let maxAgeSeconds = 600

    public init(allowedOrigins: [String]) {
        self.allowedOrigins = allowedOrigins
    }

    /// `CORS_ALLOWED_ORIGINS`: origins separated by commas (`https://app.example.com,http://localhost:5173`),
    /// or `*` for any.
    public init(setting: String?) {
        allowedOrigins = (setting ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    public var isEnabled: Bool { !allowedOrigins.isEmpty }

    /// The `Access-Control-Allow-Origin` value for a request's `Origin`, or nil when it is not allowed.
    public func allowOrigin(for origin: String?) -> String? {
        guard let origin, !origin.isEmpty else { return nil }
        if allowedOrigins.contains("*") { return "*" }
        return allowedOrigins.contains(origin) ? origin : nil
    }

    /// The headers of a preflight's answer for an allowed origin.
    public func preflightHeaders(origin allowed: String) -> [(String, String)] {
        [
            ("access-control-allow-origin", allowed), ("access-control-allow-methods", Self.allowMethods.joined(separator: ",")),
            ("access-control-allow-headers", Self.allowHeaders.joined(separator: ",")),
            ("access-control-max-age", String(Self.maxAgeSeconds)), ("vary", "Origin"),
        ]
    }

    /// The headers added to an answer for an allowed origin.
    public func responseHeaders(origin allowed: String) -> [(String, String)] {
        [("access-control-allow-origin", allowed), ("access-control-expose-headers", Self.exposeHeaders.joined(separator: ",")), ("vary", "Origin")]
    }
}
