import Foundation
import FunctionRuntime

/// `DELETE /webhooks/{id}`: 204; the webhook and its deliveries are gone, and no pending one is attempted
/// again (its message finds no row). 404 for an id that is not the caller's.
struct DeleteWebhookFunction: APIFunction {
    let service: WebhookService
    /// Who is asking: the bearer token\'s user.
    let accounts: AccountService

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .session)
        guard let text = request.pathParameters?["id"], let id = UUID(pathID: text),
            try await service.webhooks.delete(id, owner: user.id)
        else {
            throw APIError(.notFound, "no such webhook")
        }
        return APIGatewayV2Response(statusCode: 204)
    }
}
