/// How a function's queue is declared: a durable quorum queue whose messages are dead-lettered to
/// `<queue>.dlq` once they have been delivered more than `deliveryLimit` times. Producers and the consumer
/// declare it identically (RabbitMQ refuses a redeclaration with other arguments).
public struct QueueTopology: Sendable, Equatable {
    public var queue: String
    public var deliveryLimit: Int
    /// The exchange dead letters go through; shared by all queues, routed by the queue's name.
    public var deadLetterExchange: String

    public init(queue: String, deliveryLimit: Int = 3, deadLetterExchange: String = "image-functions.dlx") {
        self.queue = queue
        self.deliveryLimit = deliveryLimit
        self.deadLetterExchange = deadLetterExchange
    }

    public var deadLetterQueue: String { "\(queue).dlq" }
}
