import FunctionRuntime
import Imaging

/// `POST /token`: the OAuth2 password grant of the original service (a form `username=&password=`; JSON is
/// accepted too). 200 `{"access_token","token_type":"bearer","expires_in"}`.
struct TokenFunction: APIFunction {
    let accounts: AccountService

    struct Token: Encodable {
        var access_token: String
        var token_type = "bearer"
        var expires_in: Int
    }

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let credentials: Credentials
        if RequestBody.mediaType(request) == "application/json" {
            credentials = try Credentials.from(try RequestBody.json(request).objectFields(), allowed: ["grant_type", "scope", "client_id", "client_secret"])
        } else {
            // The OAuth2 form may carry grant_type, scope and client fields; only the credentials matter here.
            let form = try RequestBody.form(request)
            var fields: [String: JSONValue] = [:]
            for key in ["username", "password"] { if let value = form[key] { fields[key] = .string(value) } }
            credentials = try Credentials.from(fields)
        }
        let (user, limitHeaders) = try await accounts.signIn(credentials, request: request, context: context)
        let token = Token(access_token: try await accounts.tokens.issue(userID: user.id), expires_in: Int(accounts.tokens.lifetime))
        return .json(token, headers: ["cache-control": "no-store"].merging(limitHeaders) { $1 })
    }
}
