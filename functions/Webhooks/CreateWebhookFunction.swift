import Foundation
import FunctionRuntime
import Storage

/// `POST /webhooks` `{"url": "https://…", "events": ["variant.ready"], "description": "…"}`: 201 with the
/// webhook and its signing secret (shown only here) and a `Location`. `events` defaults to every type. Each
/// bad field is named in one 422; a user may have `WebhookSettings.maxPerUser` webhooks (409 beyond).
struct CreateWebhookFunction: APIFunction {
    let service: WebhookService
    /// Who is asking: the bearer token\'s user.
    let accounts: AccountService

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .session)
        guard case .object(let body) = try RequestBody.json(request) else {
            throw APIError(.badRequest, "the body must be a JSON object")
        }
        var errors: [Problem.FieldError] = body.keys.sorted().filter { !["url", "events", "description"].contains($0) }
            .map { .init(field: $0, message: "unknown field") }
        var target: WebhookTarget?
        switch body["url"] {
        case .string(let text)?:
            switch WebhookTarget.parse(text, policy: service.policy) {
            case .success(let parsed): target = parsed
            case .failure(let refusal): errors.append(.init(field: "url", message: refusal.message))
            }
        case nil: errors.append(.init(field: "url", message: "is required"))
        case _?: errors.append(.init(field: "url", message: "must be a string"))
        }
        var events = WebhookEvent.types
        switch body["events"] {
        case nil: break
        case .array(let items)? where !items.isEmpty:
            var chosen: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let type) = item, WebhookEvent.types.contains(type) else {
                    errors.append(.init(field: "events[\(index)]", message: "must be one of \(WebhookEvent.types.joined(separator: ", "))"))
                    continue
                }
                if !chosen.contains(type) { chosen.append(type) }
            }
            events = WebhookEvent.types.filter(chosen.contains)
        case _?: errors.append(.init(field: "events", message: "must be a non-empty array of event types"))
        }
        var description: String?
        switch body["description"] {
        case nil, .null?: break
        case .string(let text)? where text.count <= 200 && !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }):
            description = text
        case _?: errors.append(.init(field: "description", message: "must be a string of at most 200 characters, without control characters"))
        }
        guard errors.isEmpty, let target else { throw APIError.validation(errors) }

        let webhook = WebhookRecord(
            id: UUID(), ownerID: user.id, url: target.url.absoluteString, secret: WebhookSignature.newSecret(), events: events,
            description: description
        )
        guard try await service.webhooks.create(webhook, limit: WebhookSettings.maxPerUser) else {
            throw APIError(.webhookLimitReached, "a user may have \(WebhookSettings.maxPerUser) webhooks; delete one first")
        }
        return .json(
            WebhookJSON(webhook, showingSecret: true), status: 201,
            headers: ["location": "/webhooks/\(webhook.id.uuidString.lowercased())"]
        )
    }
}
