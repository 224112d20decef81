import Foundation
import FunctionRuntime
import Storage

/// `POST /api-keys` `{"name", "scopes": [...], "expires_at"?}`: 201 with the key and its secret (shown only
/// here) and a `Location`. Only a signed-in session may make keys (a key cannot make another, so a leaked one
/// cannot outlive its revocation); a user may have `maxPerUser` keys (409 beyond).
struct CreateAPIKeyFunction: APIFunction {
    static let maxPerUser = 50
    let accounts: AccountService

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .session)
        guard case .object(let body) = try RequestBody.json(request) else {
            throw APIError(.badRequest, "the body must be a JSON object")
        }
        let asked = try APIKeyRequest.from(body)
        let secret = APIKeySecret.generate()
        let key = APIKeyRecord(
            id: UUID(), ownerID: user.id, name: asked.name, prefix: secret.prefix, secretDigest: secret.digest,
            scopes: asked.scopes.map(\.rawValue), createdAt: Date(), expiresAt: asked.expiresAt
        )
        guard try await accounts.keys.create(key, limit: Self.maxPerUser) else {
            throw APIError(.apiKeyLimitReached, "a user may have \(Self.maxPerUser) API keys; revoke one first")
        }
        return .json(
            APIKeyJSON(key, secret: secret), status: 201,
            headers: ["location": "/api-keys/\(key.id.uuidString.lowercased())", "cache-control": "no-store"]
        )
    }
}
