import Crypto
import Foundation

/// An API key's secret: `ifk_<prefix>_<secret>`. The prefix (12 characters of base 32) is public and finds the
/// key; the secret is 32 random bytes in base64url. Only the SHA-256 digest of the whole text is stored, and
/// a presented key is checked by comparing digests in constant time (swift-crypto's `Digest ==`, which is
/// `CRYPTO_memcmp`).
struct APIKeySecret: Sendable, Equatable {
    static let scheme = "ifk_"
    static let prefixLength = 12
    static let secretLength = 43
    private static let prefixAlphabet = Array("abcdefghijklmnopqrstuvwxyz234567")

    /// The whole text, as the client sends it.
    let text: String
    let prefix: String

    /// A new random key.
    static func generate() -> APIKeySecret {
        var generator = SystemRandomNumberGenerator()
        let prefix = String((0..<prefixLength).map { _ in prefixAlphabet.randomElement(using: &generator)! })
        let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64URLEncodedString()
        return APIKeySecret(text: scheme + prefix + "_" + secret, prefix: prefix)
    }

    /// The key in a bearer credential, or nil when the text does not have a key's shape (a JWT, say).
    init?(presented text: String) {
        guard text.hasPrefix(Self.scheme), text.utf8.count == Self.scheme.utf8.count + Self.prefixLength + 1 + Self.secretLength else { return nil }
        let rest = text.utf8.dropFirst(Self.scheme.utf8.count)
        let prefix = rest.prefix(Self.prefixLength), separator = rest.dropFirst(Self.prefixLength).first
        let secret = rest.dropFirst(Self.prefixLength + 1)
        let base32 = Set(Self.prefixAlphabet.map { UInt8(ascii: $0.unicodeScalars.first!) })
        guard prefix.allSatisfy(base32.contains), separator == UInt8(ascii: "_"),
            secret.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
        else { return nil }
        self.init(text: text, prefix: String(decoding: prefix, as: UTF8.self))
    }

    private init(text: String, prefix: String) {
        self.text = text
        self.prefix = prefix
    }

    /// What is stored: the SHA-256 digest of the whole text.
    var digest: [UInt8] { Array(SHA256.hash(data: Data(text.utf8))) }

    /// Whether this key's digest is `stored`, taking the same time wherever the first difference lies.
    func matches(_ stored: [UInt8]) -> Bool { SHA256.hash(data: Data(text.utf8)) == stored }

    /// A digest no key has, compared when no key has the presented prefix, so an unknown prefix and a wrong
    /// secret take the same path.
    static let decoyDigest = [UInt8](repeating: 0, count: SHA256.byteCount)
}
