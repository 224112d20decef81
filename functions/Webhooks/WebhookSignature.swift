import Crypto
import Foundation

/// Signing as the Standard Webhooks specification (standardwebhooks.com) says, so receivers can verify with
/// its libraries: the secret is `whsec_` and base64 of 32 random bytes; each delivery carries `webhook-id`
/// (the same on every attempt: receivers drop repeats by it), `webhook-timestamp` (Unix seconds of this
/// attempt: receivers refuse old ones, which stops replays) and `webhook-signature`, `v1,` and base64 of
/// HMAC-SHA256 keyed with the secret's bytes over `<id>.<timestamp>.<body>`.
enum WebhookSignature {
    static let secretPrefix = "whsec_"

    static func newSecret() -> String {
        secretPrefix + Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString()
    }

    /// The `webhook-signature` value.
    static func sign(id: String, timestamp: Int, body: [UInt8], secret: String) -> String {
        let encoded = secret.hasPrefix(secretPrefix) ? String(secret.dropFirst(secretPrefix.count)) : secret
        let key = SymmetricKey(data: Data(base64Encoded: encoded) ?? Data(encoded.utf8))
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        return "v1," + Data(HMAC<SHA256>.authenticationCode(for: message, using: key)).base64EncodedString()
    }

    /// The headers of one attempt.
    static func headers(id: String, timestamp: Int, body: [UInt8], secret: String) -> [(String, String)] {
        [
            ("webhook-id", id),
            ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", sign(id: id, timestamp: timestamp, body: body, secret: secret)),
        ]
    }
}
