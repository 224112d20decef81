import Foundation
import FunctionRuntime
import Storage

/// Registration, login and token checks, shared by the account functions.
struct AccountService: Sendable {
    let users: UserRepository
    let hasher: PasswordHasher
    let tokens: TokenIssuer
    let limiter: RateLimiter
    let loginPolicy: RateLimitPolicy

    init(environment: FunctionEnvironment) async throws {
        let (postgres, secret) = try environment.require(.database, .tokenSecret)
        users = UserRepository(client: postgres, logger: environment.logger)
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

    /// The signed-in user of a request: a Bearer token in the Authorization header, and nowhere else.
    /// The user id a valid bearer token names, without reading the user: for a read scoped to that owner,
    /// where a deleted user's rows are gone anyway. nil for a missing or invalid token; the caller then
    /// goes through `currentUser`, which gives the 401.
    func tokenUserID(_ request: APIGatewayV2Request) async -> UUID? {
        guard let header = request.header("authorization"), header.lowercased().hasPrefix("bearer ") else { return nil }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        return await InvocationRecord.stage("auth.jwt") { await tokens.verify(token) }
    }

    func currentUser(_ request: APIGatewayV2Request) async throws -> UserRecord {
        guard let header = request.header("authorization"), header.lowercased().hasPrefix("bearer ") else {
            throw APIError(.unauthorized, "a Bearer token is required")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard let id = await InvocationRecord.stage("auth.jwt", { await tokens.verify(token) }),
            let user = try await InvocationRecord.stage("auth.sql", { try await users.find(id: id) })
        else {
            throw APIError(.unauthorized, "the token is invalid or expired")
        }
        InvocationRecord.noteUser(user.id.uuidString.lowercased())
        return user
    }
}
