import Foundation
import JWTKit

/// Signs and verifies access tokens: HS256 only (the one key in the collection, so `alg: none` and other
/// algorithms fail), with `iss`, `aud`, `iat` and `exp` set and checked.
struct TokenIssuer: Sendable {
    static let issuer = "imagefunctions"
    static let audience = "imagefunctions-api"

    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var iss: IssuerClaim
        var aud: AudienceClaim
        var iat: IssuedAtClaim
        var exp: ExpirationClaim
        var nbf: NotBeforeClaim?

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            try nbf?.verifyNotBefore()
            guard iss.value == TokenIssuer.issuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "issuer") }
            try aud.verifyIntendedAudience(includes: TokenIssuer.audience)
        }
    }

    let keys: JWTKeyCollection
    let lifetime: TimeInterval

    init(secret: String, lifetime: TimeInterval = 3600) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
        self.lifetime = lifetime
    }

    func issue(userID: UUID, now: Date = Date()) async throws -> String {
        let claims = Claims(
            sub: .init(value: userID.uuidString.lowercased()), iss: .init(value: Self.issuer),
            aud: .init(value: [Self.audience]), iat: .init(value: now), exp: .init(value: now.addingTimeInterval(lifetime)),
            nbf: nil
        )
        return try await keys.sign(claims)
    }

    /// The user id of a valid token, or nil for anything else (bad signature, algorithm, expiry, issuer,
    /// audience, or no token at all).
    func verify(_ token: String) async -> UUID? {
        guard let claims = try? await keys.verify(token, as: Claims.self) else { return nil }
        return UUID(uuidString: claims.sub.value)
    }
}
