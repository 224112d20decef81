import Foundation
@testable import Functions
import Testing

/// The secret's shape and its check: what a presented key must look like before any read, and a digest
/// comparison that reads every byte wherever the first difference lies.
@Suite struct APIKeySecretTests {
    @Test func aGeneratedKeyReadsBackAndMatchesOnlyItsOwnDigest() throws {
        let key = APIKeySecret.generate()
        let read = try #require(APIKeySecret(presented: key.text))
        #expect(read == key && read.prefix == key.prefix && key.prefix.count == 12)
        #expect(read.matches(key.digest))
        #expect(!read.matches(APIKeySecret.generate().digest))
        #expect(!read.matches(APIKeySecret.decoyDigest))
        #expect(APIKeySecret.generate().text != key.text)
    }

    @Test func onlyTheKeyShapeIsTakenForAKey() {
        let key = APIKeySecret.generate().text
        let body = String(key.dropFirst(4 + 12 + 1))
        var texts: [String] = ["", "ifk_", key + "x", String(key.dropLast()), "ifx_" + String(key.dropFirst(4))]
        texts.append("ifk_ABCDEFGHIJKL_" + body)
        texts.append(String(key.prefix(16)) + "." + body)
        texts.append(String(key.dropLast()) + "é")
        texts.append("eyJhbGciOiJIUzI1NiJ9.e30.x")
        for text in texts {
            #expect(APIKeySecret(presented: text) == nil, "\(text)")
        }
    }

    @Test func digestsAreComparedWholeWhereverTheyDiffer() {
        let key = APIKeySecret.generate()
        let stored = key.digest
        #expect(key.matches(stored))
        for position in [0, stored.count / 2, stored.count - 1] {
            var other = stored
            other[position] ^= 0x01
            #expect(!key.matches(other), "a difference at byte \(position)")
        }
        #expect(!key.matches(Array(stored.dropLast())))
        #expect(!key.matches([]))
    }
}
