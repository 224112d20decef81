import Foundation
import Storage

/// The body of a delivery: `{"type", "timestamp", "data"}` as Standard Webhooks recommends, plus the event's
/// `id` (also the `webhook-id` header). `data` is the variant as the API shows it (`Image`) when the event
/// happened, rendered from the delivery's snapshot, so every attempt sends the same bytes.
struct WebhookEvent: Encodable {
    var id: String
    var type: String
    var timestamp: String
    var data: ImageJSON

    /// The event types a webhook may subscribe to.
    static let types = ["variant.ready", "variant.failed"]

    /// Sorted keys, no escaped slashes: the same delivery always encodes to the same bytes.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The body of `delivery`; nil when its snapshot cannot be read (it then can never be sent).
    static func body(of delivery: WebhookDelivery) -> [UInt8]? {
        guard let image = ImageRecord(snapshot: delivery.snapshot) else { return nil }
        let event = WebhookEvent(
            id: delivery.id.uuidString.lowercased(), type: delivery.eventType, timestamp: delivery.createdAt.ISO8601Format(),
            data: ImageJSON(image)
        )
        return try? [UInt8](encoder.encode(event))
    }
}
