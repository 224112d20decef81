import Crypto
import Foundation

extension TransformationSpec {
    /// The spec as canonical JSON: the `Codable` shape with keys sorted, defaults the API shows written out,
    /// no-ops left out, numbers in one spelling. Equal specs give equal bytes; it is also what the API shows as
    /// the variant's `transformations`. `SpecHashPinTests` holds the bytes of specs stored before the spec
    /// became steps, so no variant key moves.
    public var canonicalJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding a value of known types cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// SHA-256 of the canonical JSON, hex: names the variant (its storage key and cache key).
    public var hash: String {
        SHA256.hash(data: Data(("v1:" + canonicalJSON).utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
