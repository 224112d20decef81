import Foundation
import FunctionRuntime
import Storage

/// Registration, login and token checks, shared by the account functions.
struct AccountService: Sendable {
    let users: UserRepository
    let keys: APIKeyRepository
    let hasher: PasswordHasher
    let tokens: TokenIssuer
    let limiter: RateLimiter
    let loginPolicy: RateLimitPolicy

    init(environment: FunctionEnvironment) async throws {
        let (postgres, secret) = try environment.require(.database, .tokenSecret)
        users = UserRepository(client: postgres, logger: environment.logger)
        keys = APIKeyRepository(client: postgres, logger: environment.logger)
        hasher = PasswordHasher()
        tokens = await TokenIssuer(secret: secret)
        limiter = try RateLimiter(environment: environment)
        loginPolicy = environment.configuration.rateLimits.logins
    }

    /// The public face of a user: never a password or hash.
    struct User: Encodable {
        var id: String
        var username: String
        var created_at: String

        init(_ record: UserRecord) {
            id = record.id.uuidString.lowercased()
            username = record.username
            created_at = record.createdAt.ISO8601Format()
        }
    }

    func register(_ credentials: Credentials) async throws -> UserRecord {
        let hash = try await hasher.hash(credentials.password)
        guard let user = try await users.create(username: credentials.username, passwordHash: hash) else {
            throw APIError(.usernameTaken, "that username is taken")
        }
        return user
    }

    /// The user for a username and password. Unknown users and wrong passwords get the same error, and
    /// take about the same time (a decoy hash is checked when there is no user).
    func authenticate(_ credentials: Credentials) async throws -> UserRecord {
        let user = try await users.find(username: credentials.username)
        let matches = try await hasher.verify(credentials.password, against: user?.passwordHash ?? PasswordHasher.decoy)
        guard let user, matches else { throw APIError(.unauthorized, "the username or password is wrong") }
        return user
    }

    /// A login attempt: rate limited per username and client address (a guessing client is slowed down
    /// whichever user it tries, and cannot lock a user out from elsewhere), then checked like `authenticate`.
    /// Returns the user and the rate-limit headers for the answer.
    func signIn(_ credentials: Credentials, request: APIGatewayV2Request, context: InvocationContext) async throws
        -> (UserRecord, [String: String])
    {
        let subject = credentials.username.lowercased() + "@" + request.requestContext.http.sourceIp
        let headers = try await limiter.admit(loginPolicy, subject: subject, context: context)
        do {
            let user = try await authenticate(credentials)
            InvocationRecord.noteUser(user.id.uuidString.lowercased())
            return (user, headers)
        } catch var error as APIError {
            error.headers.merge(headers) { current, _ in current }
            throw error
        }
    }

    /// The credential of a request: the text after `Bearer ` in the Authorization header, and nowhere else.
    static func bearer(_ request: APIGatewayV2Request) -> String? {
        guard let header = request.header("authorization"), header.lowercased().hasPrefix("bearer ") else { return nil }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    /// The user id a valid bearer token names, without reading the user: for a read scoped to that owner,
    /// where a deleted user's rows are gone anyway. nil for a missing or invalid token, and for an API key
    /// (whose scopes and revocation need a read); the caller then goes through `currentUser`.
    func tokenUserID(_ request: APIGatewayV2Request) async -> UUID? {
        guard let token = Self.bearer(request), APIKeySecret(presented: token) == nil else { return nil }
        return await InvocationRecord.stage("auth.jwt") { await tokens.verify(token) }
    }

    /// The user a request acts for, if its credential allows `access`: a session token (JWT) allows
    /// everything; an API key (`ifk_...`) only its scopes, and never `.session`, which is 403
    /// `insufficient_scope` naming what is missing. A missing, invalid, expired or revoked credential is 401.
    func currentUser(_ request: APIGatewayV2Request, access: Access) async throws -> UserRecord {
        guard let token = Self.bearer(request) else {
            throw APIError(.unauthorized, "a Bearer token or API key is required")
        }
        if let key = APIKeySecret(presented: token) { return try await keyUser(key, access: access) }
        guard let id = await InvocationRecord.stage("auth.jwt", { await tokens.verify(token) }),
            let user = try await InvocationRecord.stage("auth.sql", { try await users.find(id: id) })
        else {
            throw APIError(.unauthorized, "the token is invalid or expired")
        }
        InvocationRecord.noteUser(user.id.uuidString.lowercased())
        return user
    }

    /// The owner of a presented API key, checked: its digest (compared in constant time, against a decoy when
    /// no key has the prefix), its expiry, then the scope the route needs.
    private func keyUser(_ key: APIKeySecret, access: Access, now: Date = Date()) async throws -> UserRecord {
        let found = try await InvocationRecord.stage("auth.sql") { try await keys.find(prefix: key.prefix) }
        guard key.matches(found?.key.secretDigest ?? APIKeySecret.decoyDigest), let found else {
            throw APIError(.unauthorized, "the API key is invalid or has been revoked")
        }
        if let expiry = found.key.expiresAt, expiry <= now {
            throw APIError(.unauthorized, "the API key expired at \(expiry.ISO8601Format())")
        }
        switch access {
        case .anyCredential:
            break
        case .session:
            throw APIError(
                .insufficientScope, "an API key cannot do this; sign in with a username and password",
                headers: ["www-authenticate": #"Bearer realm="imagefunctions", error="insufficient_scope""#]
            )
        case .scope(let scope):
            guard found.key.scopes.contains(scope.rawValue) else {
                throw APIError(
                    .insufficientScope, "this API key lacks the \(scope.rawValue) scope",
                    headers: ["www-authenticate": #"Bearer realm="imagefunctions", error="insufficient_scope", scope=""# + scope.rawValue + "\""]
                )
            }
        }
        // A busy key writes its row once a minute; a failed note is not worth failing the request over.
        if found.key.lastUsedAt.map({ now.timeIntervalSince($0) >= APIKeyRepository.lastUseResolution }) ?? true {
            try? await keys.noteUse(found.key.id, at: now)
        }
        InvocationRecord.noteUser(found.owner.id.uuidString.lowercased())
        return found.owner
    }
}
