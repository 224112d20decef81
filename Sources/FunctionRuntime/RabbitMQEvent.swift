import Foundation

/// The event Lambda receives from an Amazon MQ for RabbitMQ event source (`"eventSource": "aws:rmq"`).
public struct RabbitMQEvent: Codable, Sendable, Equatable {
    public struct Message: Codable, Sendable, Equatable {
        public var basicProperties: BasicProperties
        public var redelivered: Bool
        /// The message body, base64-encoded.
        public var data: String

        public init(basicProperties: BasicProperties, redelivered: Bool, data: String) {
            self.basicProperties = basicProperties
            self.redelivered = redelivered
            self.data = data
        }

        /// The body as a JSON document of `type`; nil when it is not base64 of one.
        public func decoded<T: Decodable>(as type: T.Type) -> T? {
            guard let body = Data(base64Encoded: data) else { return nil }
            return try? JSONDecoder().decode(type, from: body)
        }
    }

    public struct BasicProperties: Codable, Sendable, Equatable {
        public var contentType: String?
        public var contentEncoding: String?
        /// String header values arrive as `{"bytes": [...]}`; numbers and booleans as themselves.
        public var headers: [String: HeaderValue]?
        public var deliveryMode: Int?
        public var priority: Int?
        public var correlationId: String?
        public var replyTo: String?
        public var expiration: String?
        public var messageId: String?
        public var timestamp: String?
        public var type: String?
        public var userId: String?
        public var appId: String?
        public var clusterId: String?
        public var bodySize: Int

        public init(
            contentType: String? = nil, contentEncoding: String? = nil, headers: [String: HeaderValue]? = nil,
            deliveryMode: Int? = nil, priority: Int? = nil, correlationId: String? = nil, replyTo: String? = nil,
            expiration: String? = nil, messageId: String? = nil, timestamp: String? = nil, type: String? = nil,
            userId: String? = nil, appId: String? = nil, clusterId: String? = nil, bodySize: Int
        ) {
            self.contentType = contentType
            self.contentEncoding = contentEncoding
            self.headers = headers
            self.deliveryMode = deliveryMode
            self.priority = priority
            self.correlationId = correlationId
            self.replyTo = replyTo
            self.expiration = expiration
            self.messageId = messageId
            self.timestamp = timestamp
            self.type = type
            self.userId = userId
            self.appId = appId
            self.clusterId = clusterId
            self.bodySize = bodySize
        }

        // Lambda sends explicit nulls; keep them on the way out so the events match the cloud's byte shape.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(contentType, forKey: .contentType)
            try c.encode(contentEncoding, forKey: .contentEncoding)
            try c.encode(headers, forKey: .headers)
            try c.encode(deliveryMode, forKey: .deliveryMode)
            try c.encode(priority, forKey: .priority)
            try c.encode(correlationId, forKey: .correlationId)
            try c.encode(replyTo, forKey: .replyTo)
            try c.encode(expiration, forKey: .expiration)
            try c.encode(messageId, forKey: .messageId)
            try c.encode(timestamp, forKey: .timestamp)
            try c.encode(type, forKey: .type)
            try c.encode(userId, forKey: .userId)
            try c.encode(appId, forKey: .appId)
            try c.encode(clusterId, forKey: .clusterId)
            try c.encode(bodySize, forKey: .bodySize)
        }
    }

    /// A message header value as Lambda renders AMQP field values.
    public enum HeaderValue: Codable, Sendable, Equatable {
        case bytes([UInt8])
        case integer(Int64)
        case double(Double)
        case bool(Bool)
        case null

        private enum Keys: String, CodingKey { case bytes }

        public init(from decoder: any Decoder) throws {
            if let keyed = try? decoder.container(keyedBy: Keys.self), let bytes = try? keyed.decode([UInt8].self, forKey: .bytes) {
                self = .bytes(bytes)
                return
            }
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let value = try? single.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? single.decode(Int64.self) {
                self = .integer(value)
            } else {
                // A number the integer reading refused can still be a whole Double (`13333333333333333.3333`
                // rounds to 13333333333333334); its JSON is then an integer's, so it is one, or the event would
                // read back as another after its own encoding (the fuzzer's find).
                let value = try single.decode(Double.self)
                self = Int64(exactly: value).map(HeaderValue.integer) ?? .double(value)
            }
        }

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .bytes(let bytes):
                var keyed = encoder.container(keyedBy: Keys.self)
                try keyed.encode(bytes, forKey: .bytes)
            case .integer(let value):
                var single = encoder.singleValueContainer()
                try single.encode(value)
            case .double(let value):
                var single = encoder.singleValueContainer()
                try single.encode(value)
            case .bool(let value):
                var single = encoder.singleValueContainer()
                try single.encode(value)
            case .null:
                var single = encoder.singleValueContainer()
                try single.encodeNil()
            }
        }

        /// The value as text when it was sent as a string.
        public var string: String? {
            if case .bytes(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }
    }

    public var eventSource: String
    public var eventSourceArn: String
    /// Keyed `"<queue>::<vhost>"`.
    public var rmqMessagesByQueue: [String: [Message]]

    public init(eventSourceArn: String, rmqMessagesByQueue: [String: [Message]]) {
        self.eventSource = "aws:rmq"
        self.eventSourceArn = eventSourceArn
        self.rmqMessagesByQueue = rmqMessagesByQueue
    }

    /// Every message of the event, whatever queue it came from.
    public var messages: [Message] { rmqMessagesByQueue.keys.sorted().flatMap { rmqMessagesByQueue[$0] ?? [] } }
}
