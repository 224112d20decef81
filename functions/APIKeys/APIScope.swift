/// What an API key may do. A signed-in session (a JWT from a password) may do everything, including
/// managing keys, which no key may; a key does what its scopes say and nothing else.
enum APIScope: String, CaseIterable, Sendable {
    /// List images and variants, read their bytes and metadata.
    case imagesRead = "images:read"
    /// Upload images (every upload route) and delete them.
    case imagesWrite = "images:write"
    /// Make variants: queued (`POST /images/{id}/transform`) or by URL (`GET /images/{id}/t/...`).
    case transform
    /// Sign transformation URLs for clients that send no header.
    case sign

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// What a route asks of its caller's credential.
enum Access: Sendable {
    /// Any valid credential with this scope (a session has every scope).
    case scope(APIScope)
    /// Any valid credential at all (`GET /users/me`, `GET /usage`).
    case anyCredential
    /// A signed-in session: managing API keys and webhooks, which a leaked key must not be able to do.
    case session
}
