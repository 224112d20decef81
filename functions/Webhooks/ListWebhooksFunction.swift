import FunctionRuntime

/// `GET /webhooks`: the caller's webhooks, newest first (at most `WebhookSettings.maxPerUser`, so one page).
struct ListWebhooksFunction: APIFunction {
    let service: WebhookService
    /// Who is asking: the bearer token\'s user.
    let accounts: AccountService

    struct List: Encodable {
        var items: [WebhookJSON]
        var total: Int
    }

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .session)
        let webhooks = try await service.webhooks.list(owner: user.id)
        return .json(List(items: webhooks.map { WebhookJSON($0) }, total: webhooks.count))
    }
}
