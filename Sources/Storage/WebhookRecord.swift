import Foundation

/// A callback URL a user registered, with the secret its deliveries are signed with and the events it wants.
public struct WebhookRecord: Sendable, Equatable {
    public var id: UUID
    public var ownerID: UUID
    public var url: String
    public var secret: String
    public var events: [String]
    public var description: String?
    public var createdAt: Date

    public init(id: UUID, ownerID: UUID, url: String, secret: String, events: [String], description: String?, createdAt: Date = Date()) {
        self.id = id
        self.ownerID = ownerID
        self.url = url
        self.secret = secret
        self.events = events
        self.description = description
        self.createdAt = createdAt
    }
}

/// One event for one webhook (migration 9): what happened, the variant's row as it was then, and every
/// attempt to deliver it so far.
public struct WebhookDelivery: Sendable, Equatable {
    public enum State: String, Sendable { case pending, delivered, failed }

    /// One POST to the webhook's URL: when, how long, and the answer (a status) or why there was none.
    public struct Attempt: Codable, Sendable, Equatable {
        public var at: String
        public var duration_ms: Int
        public var status_code: Int?
        public var error: String?

        public init(at: String, duration_ms: Int, status_code: Int?, error: String?) {
            self.at = at
            self.duration_ms = duration_ms
            self.status_code = status_code
            self.error = error
        }

        /// The attempt that started at `started` and ended now: `at` in RFC 3339 with milliseconds and `Z`.
        public init(started: Date, statusCode: Int? = nil, error: String? = nil) {
            self.init(
                at: started.ISO8601Format(Date.ISO8601FormatStyle(includingFractionalSeconds: true)),
                duration_ms: Int(Date().timeIntervalSince(started) * 1000), status_code: statusCode, error: error
            )
        }
    }

    public var id: UUID
    public var webhookID: UUID
    public var eventType: String
    public var imageID: UUID
    /// The variant's row when the event happened, as JSON text (`ImageRecord(snapshot:)` reads it).
    public var snapshot: String
    public var state: State
    public var attempts: [Attempt]
    /// When the next attempt is due; nil once delivered or failed.
    public var nextAttemptAt: Date?
    public var createdAt: Date
    public var finishedAt: Date?
}

/// The delivery an attempt is about to make: the event and where it goes.
public struct ClaimedDelivery: Sendable, Equatable {
    public var delivery: WebhookDelivery
    public var url: String
    public var secret: String
}

extension ImageRecord {
    /// The row a delivery's snapshot holds (`to_jsonb` of the row, with epoch timestamps and the spec's text).
    public init?(snapshot: String) {
        struct Row: Decodable {
            var id: UUID
            var owner_id: UUID
            var source_id: UUID?
            var spec_hash: String?
            var transformations: String?
            var filename: String
            var format: String
            var content_type: String
            var width: Int?
            var height: Int?
            var size_bytes: Int?
            var object_key: String?
            var content_hash: String?
            var status: String
            var error_code: String?
            var error_message: String?
            var created_at: Double
            var updated_at: Double
        }
        guard let row = try? JSONDecoder().decode(Row.self, from: Data(snapshot.utf8)),
            let status = ImageRecord.Status(rawValue: row.status)
        else { return nil }
        self.init(
            id: row.id, ownerID: row.owner_id, sourceID: row.source_id, specHash: row.spec_hash,
            transformations: row.transformations, filename: row.filename, format: row.format, contentType: row.content_type,
            width: row.width, height: row.height, sizeBytes: row.size_bytes, objectKey: row.object_key,
            contentHash: row.content_hash, status: status, errorCode: row.error_code, errorMessage: row.error_message,
            createdAt: Date(timeIntervalSince1970: row.created_at), updatedAt: Date(timeIntervalSince1970: row.updated_at)
        )
    }
}
