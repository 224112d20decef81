import FunctionRuntime

/// `GET /users/me`: the signed-in user.
struct MeFunction: APIFunction {
    let accounts: AccountService

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        .json(AccountService.User(try await accounts.currentUser(request, access: .anyCredential)), headers: ["cache-control": "no-store"])
    }
}
