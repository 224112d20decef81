import CArgon2
import Foundation

/// Argon2id password hashes (libargon2, m = 19 MiB, t = 2, p = 1: OWASP's minimum), computed on NIO's thread
/// pool so a hash never blocks the event loop.
struct PasswordHasher: Sendable {
    var memoryKiB: UInt32 = 19 * 1024
    var iterations: UInt32 = 2
    var parallelism: UInt32 = 1

    /// A hash of a password nobody has, verified against when the user does not exist, so an unknown user and
    /// a wrong password take about the same time.
    static let decoy = try! PasswordHasher().hashNow("not a password anyone has: decoy")

    func hash(_ password: String) async throws -> String {
        try await offloaded { try hashNow(password) }
    }

    func verify(_ password: String, against encoded: String) async throws -> Bool {
        try await offloaded {
            let bytes = Array(password.utf8)
            return argon2id_verify(encoded, bytes, bytes.count) == ARGON2_OK.rawValue
        }
    }

    func hashNow(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = generator.next() }
        let bytes = Array(password.utf8)
        let length = argon2_encodedlen(iterations, memoryKiB, parallelism, UInt32(salt.count), 32, Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let status = argon2id_hash_encoded(
            iterations, memoryKiB, parallelism, bytes, bytes.count, salt, salt.count, 32, &encoded, length
        )
        guard status == ARGON2_OK.rawValue else {
            throw APIError(.internalError, "the password could not be hashed")
        }
        return String(cString: encoded)
    }
}
