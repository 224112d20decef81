/// A message as published or delivered: body and the basic properties this service uses.
public struct AMQPMessage: Sendable, Equatable {
    /// A header value as AMQP carries it (the kinds this service reads and writes).
    public enum HeaderValue: Sendable, Equatable {
        case string(String)
        case bytes([UInt8])
        case integer(Int64)
        case bool(Bool)
        case double(Double)
    }

    public var body: [UInt8]
    public var contentType: String?
    public var contentEncoding: String?
    public var headers: [String: HeaderValue]
    public var persistent: Bool
    public var priority: UInt8?
    public var correlationID: String?
    public var replyTo: String?
    public var expiration: String?
    public var messageID: String?
    /// Seconds since the Unix epoch.
    public var timestamp: UInt64?
    public var type: String?
    public var userID: String?
    public var appID: String?

    public init(
        body: [UInt8], contentType: String? = nil, contentEncoding: String? = nil, headers: [String: HeaderValue] = [:],
        persistent: Bool = true, priority: UInt8? = nil, correlationID: String? = nil, replyTo: String? = nil,
        expiration: String? = nil, messageID: String? = nil, timestamp: UInt64? = nil, type: String? = nil,
        userID: String? = nil, appID: String? = nil
    ) {
        self.body = body
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.headers = headers
        self.persistent = persistent
        self.priority = priority
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.expiration = expiration
        self.messageID = messageID
        self.timestamp = timestamp
        self.type = type
        self.userID = userID
        self.appID = appID
    }
}

/// A message handed to a consumer, with what is needed to settle it.
public struct AMQPDelivery: Sendable {
    public var deliveryTag: UInt64
    public var redelivered: Bool
    public var exchange: String
    public var routingKey: String
    public var message: AMQPMessage
}
