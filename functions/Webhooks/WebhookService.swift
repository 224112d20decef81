import Foundation
import Storage

/// What the webhook routes share: the repository, and where webhooks may point.
struct WebhookService: Sendable {
    let webhooks: WebhookRepository
    let policy: WebhookTarget.Policy

    init(environment: FunctionEnvironment) async throws {
        webhooks = WebhookRepository(client: try environment.require(.database), logger: environment.logger)
        policy = environment.configuration.webhooks.targets
    }

    /// The owner's webhook named by the path, or 404 (also for another user's).
    func webhook(_ idText: String?, of owner: UUID) async throws -> WebhookRecord {
        guard let idText, let id = UUID(pathID: idText), let webhook = try await webhooks.find(id, owner: owner) else {
            throw APIError(.notFound, "no such webhook")
        }
        return webhook
    }
}

/// The API's `Webhook` object. The secret is shown once, in the answer that creates it.
struct WebhookJSON: Encodable {
    var id: String
    var url: String
    var events: [String]
    var description: String?
    var secret: String?
    var deliveries_url: String
    var created_at: String

    init(_ webhook: WebhookRecord, showingSecret: Bool = false) {
        id = webhook.id.uuidString.lowercased()
        url = webhook.url
        events = webhook.events
        description = webhook.description
        secret = showingSecret ? webhook.secret : nil
        deliveries_url = "/webhooks/\(id)/deliveries"
        created_at = webhook.createdAt.ISO8601Format()
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(url, forKey: .url)
        try c.encode(events, forKey: .events)
        try c.encode(description, forKey: .description)
        try c.encodeIfPresent(secret, forKey: .secret)
        try c.encode(deliveries_url, forKey: .deliveries_url)
        try c.encode(created_at, forKey: .created_at)
    }

    enum CodingKeys: String, CodingKey { case id, url, events, description, secret, deliveries_url, created_at }
}

/// The API's `WebhookDelivery` object: the event, its state and every attempt.
struct WebhookDeliveryJSON: Encodable {
    var id: String
    var webhook_id: String
    var event_type: String
    var image_id: String
    var state: String
    var attempts: [WebhookDelivery.Attempt]
    var next_attempt_at: String?
    var created_at: String
    var finished_at: String?
    /// The body every attempt sends.
    var payload: RawJSON?

    init(_ delivery: WebhookDelivery) {
        id = delivery.id.uuidString.lowercased()
        webhook_id = delivery.webhookID.uuidString.lowercased()
        event_type = delivery.eventType
        image_id = delivery.imageID.uuidString.lowercased()
        state = delivery.state.rawValue
        attempts = delivery.attempts
        next_attempt_at = delivery.nextAttemptAt?.ISO8601Format()
        created_at = delivery.createdAt.ISO8601Format()
        finished_at = delivery.finishedAt?.ISO8601Format()
        payload = WebhookEvent.body(of: delivery).map { RawJSON(text: String(decoding: $0, as: UTF8.self)) }
    }

    // Explicit nulls, as everywhere in the contract.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(webhook_id, forKey: .webhook_id)
        try c.encode(event_type, forKey: .event_type)
        try c.encode(image_id, forKey: .image_id)
        try c.encode(state, forKey: .state)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(next_attempt_at, forKey: .next_attempt_at)
        try c.encode(created_at, forKey: .created_at)
        try c.encode(finished_at, forKey: .finished_at)
        try c.encode(payload, forKey: .payload)
    }

    enum CodingKeys: String, CodingKey {
        case id, webhook_id, event_type, image_id, state, attempts, next_attempt_at, created_at, finished_at, payload
    }
}
