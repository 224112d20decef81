import Foundation
import JWTKit

/// Signs and verifies access tokens: HS256 only (the one key in the collection, so `alg: none` and other
/// algorithms fail), with `iss`, `aud`, `iat` and `exp` set and checked
/// (`nbf` too when present; `iat` may not lie in the future).
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
            // A token issued in the future (beyond clock skew) was not issued by us.
            guard iat.value <= Date().addingTimeInterval(60) else { throw JWTError.claimVerificationFailure(failedClaim: iat, reason: "issued in the future") }
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
        // jwt-kit verifies with the one key whatever the header names; the header must name HS256 too, so a
        // token that claims another algorithm is refused rather than reinterpreted.
        guard Self.headerAlgorithm(of: token) == "HS256", let claims = try? await keys.verify(token, as: Claims.self) else { return nil }
        return UUID(uuidString: claims.sub.value)
    }

    /// The `alg` of a compact JWT's header, or nil when the header does not decode.
    static func headerAlgorithm(of token: String) -> String? {
        guard let segment = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var base64 = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64),
            let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return header["alg"] as? String
    }
}
