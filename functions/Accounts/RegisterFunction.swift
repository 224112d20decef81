import FunctionRuntime

/// `POST /register` `{"username","password"}`: 201 with the user and a token. `POST /login`: 200, same shape; login attempts are rate limited per username and client address (429).
struct SessionFunction: APIFunction {
    enum Mode: Sendable { case register, login }
    let accounts: AccountService
    let mode: Mode

    struct Session: Encodable {
        var user: AccountService.User
        var token: String
        var token_type = "Bearer"
        var expires_in: Int
    }

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let credentials = try Credentials.from(try RequestBody.json(request).objectFields())
        let (user, limitHeaders) = mode == .register
            ? (try await accounts.register(credentials), [:])
            : try await accounts.signIn(credentials, request: request, context: context)
        let session = Session(
            user: .init(user), token: try await accounts.tokens.issue(userID: user.id), expires_in: Int(accounts.tokens.lifetime)
        )
        return .json(session, status: mode == .register ? 201 : 200, headers: ["cache-control": "no-store"].merging(limitHeaders) { $1 })
    }
}
