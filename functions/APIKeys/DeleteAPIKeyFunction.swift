import Foundation
import FunctionRuntime
import Storage

/// `DELETE /api-keys/{id}`: 204, and the key is refused from the next request on. 404 for an id that is not
/// the caller's.
struct DeleteAPIKeyFunction: APIFunction {
    let accounts: AccountService

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .session)
        guard let text = request.pathParameters?["id"], let id = UUID(pathID: text), try await accounts.keys.delete(id, owner: user.id) else {
            throw APIError(.notFound, "no such API key")
        }
        return APIGatewayV2Response(statusCode: 204)
    }
}
