import FunctionRuntime

/// `GET /webhooks/{id}/deliveries`: the webhook's deliveries, newest first, by `page` and `limit` or `skip`
/// and `limit`, each with its state, every attempt (when, how long, the status or the error) and the body.
struct WebhookDeliveriesFunction: APIFunction {
    let service: WebhookService
    /// Who is asking: the bearer token\'s user.
    let accounts: AccountService

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .session)
        let paging = try Paging(request.queryStringParameters ?? [:])
        let webhook = try await service.webhook(request.pathParameters?["id"], of: user.id)
        let (deliveries, total) = try await service.webhooks.deliveries(of: webhook.id, limit: paging.limit, offset: paging.skip)
        return .json(PageJSON(deliveries.map(WebhookDeliveryJSON.init), total: total, paging: paging))
    }
}
