import Crypto
import Foundation

/// Signs and checks transformation URLs, so an `<img src>` can fetch `GET /images/{id}/t/{options}` without an
/// Authorization header (imgproxy's idea, with an expiry): `?expires=<unix seconds>&signature=<base64url>`,
/// the signature being HMAC-SHA256 over `GET\n<path>\n<expires>` where the path is
/// `/images/<id, lower case>/t/<options as sent, percent-encoded>`. Whoever holds the URL can fetch that one
/// variant of that one image until it expires, and nothing else. A display rendition's URL (`DisplayRendition`)
/// carries `display=1`, which its signature covers (the message ends `\ndisplay`), so only the service makes one.
///
/// The key is `URL_SIGNING_KEY` when set; otherwise it is derived from `JWT_SECRET` with HKDF, so signed URLs
/// work wherever sign-in does, and rotating either key invalidates the URLs it signed.
struct URLSigner: Sendable {
    /// The longest life of a signed URL (the same as S3's presigned URLs), and the default.
    static let maxLifetimeSeconds = 604_800
    static let defaultLifetimeSeconds = 86_400

    let key: SymmetricKey

    init(configuration: Configuration) throws {
        if let explicit = configuration.urlSigningKey {
            key = SymmetricKey(data: Data(explicit.utf8))
        } else if let secret = configuration.jwtSecret {
            key = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)), info: Data("image-functions url signing v1".utf8),
                outputByteCount: 32
            )
        } else {
            throw ConfigurationError("URL_SIGNING_KEY or JWT_SECRET must be set to sign URLs")
        }
    }

    /// The path a signature covers.
    static func path(image id: UUID, options: String) -> String {
        "/images/\(id.uuidString.lowercased())/t/\(options)"
    }

    func signature(path: String, expires: Int, display: Bool = false) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(Self.message(path: path, expires: expires, display: display).utf8), using: key)
        return Data(mac).base64URLEncodedString()
    }

    /// The query that signs `path` until `expires`.
    func query(path: String, expires: Int, display: Bool = false) -> String {
        (display ? "display=1&" : "") + "expires=\(expires)&signature=\(signature(path: path, expires: expires, display: display))"
    }

    /// Checks a signed request's `expires` and `signature` (compared in constant time).
    func verify(path: String, expires: String?, signature: String?, display: Bool = false, now: Date = Date()) throws(APIError) {
        guard let expiresText = expires, let expiresAt = Int(expiresText), let signature,
            let mac = Self.base64URLDecoded(signature)
        else {
            throw APIError(.invalidSignature, "a signed URL needs expires (unix seconds) and signature (base64url)")
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(Self.message(path: path, expires: expiresAt, display: display).utf8), using: key) else {
            throw APIError(.invalidSignature, "the signature does not match this URL")
        }
        guard Double(expiresAt) > now.timeIntervalSince1970 else {
            throw APIError(.signatureExpired, "the signed URL expired; ask for a new one")
        }
    }

    static func message(path: String, expires: Int, display: Bool = false) -> String {
        "GET\n\(path)\n\(expires)" + (display ? "\ndisplay" : "")
    }

    static func base64URLDecoded(_ text: String) -> Data? {
        guard text.count <= 64, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
