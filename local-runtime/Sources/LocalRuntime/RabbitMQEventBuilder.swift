import FunctionRuntime
import Foundation
import Messaging

/// Turns a RabbitMQ delivery into the `aws:rmq` event Lambda's Amazon MQ event source would send.
enum RabbitMQEventBuilder {
    static func event(for delivery: AMQPDelivery, queue: String, vhost: String) -> RabbitMQEvent {
        let message = delivery.message
        let headers = message.headers.mapValues { value -> RabbitMQEvent.HeaderValue in
            switch value {
            case .string(let s): .bytes(Array(s.utf8))
            case .bytes(let b): .bytes(b)
            case .integer(let i): .integer(i)
            case .bool(let b): .bool(b)
            case .double(let d): .double(d)
            }
        }
        let properties = RabbitMQEvent.BasicProperties(
            contentType: message.contentType,
            contentEncoding: message.contentEncoding,
            headers: headers.isEmpty ? nil : headers,
            deliveryMode: message.persistent ? 2 : 1,
            priority: message.priority.map(Int.init),
            correlationId: message.correlationID,
            replyTo: message.replyTo,
            expiration: message.expiration,
            messageId: message.messageID,
            timestamp: message.timestamp.map { lambdaTimestamp(Date(timeIntervalSince1970: Double($0))) },
            type: message.type,
            userId: message.userID,
            appId: message.appID,
            clusterId: nil,
            bodySize: message.body.count
        )
        let rmq = RabbitMQEvent.Message(
            basicProperties: properties, redelivered: delivery.redelivered, data: Data(message.body).base64EncodedString()
        )
        return RabbitMQEvent(
            eventSourceArn: "arn:aws:mq:us-east-1:000000000000:broker:local:b-local",
            rmqMessagesByQueue: ["\(queue)::\(vhost)": [rmq]]
        )
    }

    /// `Jan 1, 1970, 12:33:41 AM`, the format Lambda uses for `basicProperties.timestamp`.
    static func lambdaTimestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "MMM d, yyyy, h:mm:ss a"
        return formatter.string(from: date)
    }
}
