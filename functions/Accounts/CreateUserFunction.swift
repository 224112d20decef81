import FunctionRuntime

/// `POST /users` and `POST /users/` of the original service: `{"email","plain_password"}`, 201 with the user
/// (the email becomes the username).
struct CreateUserFunction: APIFunction {
    let accounts: AccountService

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let fields = try RequestBody.json(request).objectFields()
        let credentials = try Credentials.from(fields, usernameField: "email", passwordField: "plain_password")
        let user = try await accounts.register(credentials)
        return .json(AccountService.User(user), status: 201)
    }
}
