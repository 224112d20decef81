import Foundation
import Storage

/// The API's `ApiKey` object. `secret` is there once, in the answer that creates the key; `prefix` is its
/// public start (`ifk_<prefix>`), by which a user tells keys apart.
struct APIKeyJSON: Encodable {
    var id: String
    var name: String
    var prefix: String
    var scopes: [String]
    var created_at: String
    var expires_at: String?
    var last_used_at: String?
    var secret: String?

    init(_ key: APIKeyRecord, secret: APIKeySecret? = nil) {
        id = key.id.uuidString.lowercased()
        name = key.name
        prefix = APIKeySecret.scheme + key.prefix
        scopes = key.scopes
        created_at = key.createdAt.ISO8601Format()
        expires_at = key.expiresAt?.ISO8601Format()
        last_used_at = key.lastUsedAt?.ISO8601Format()
        self.secret = secret?.text
    }

    // Explicit nulls, as everywhere in the contract; the secret only where it is shown.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(prefix, forKey: .prefix)
        try c.encode(scopes, forKey: .scopes)
        try c.encode(created_at, forKey: .created_at)
        try c.encode(expires_at, forKey: .expires_at)
        try c.encode(last_used_at, forKey: .last_used_at)
        try c.encodeIfPresent(secret, forKey: .secret)
    }

    enum CodingKeys: String, CodingKey { case id, name, prefix, scopes, created_at, expires_at, last_used_at, secret }
}
