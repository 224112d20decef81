/// How a function's queue is declared: a durable quorum queue whose messages are dead-lettered to
/// `<queue>.dlq` once they have been delivered more than `deliveryLimit` times. Producers and the consumer
/// declare it identically (RabbitMQ refuses a redeclaration with other arguments).
///
/// A queue may also have delay queues, one per retry delay: a message published to one waits there for its
/// delay (the queue's message TTL), then is dead-lettered through the default exchange back into the queue.
/// One queue per delay, because RabbitMQ expires messages only at a queue's head: a short delay behind a long
/// one in a shared queue would wait for the long one.
public struct QueueTopology: Sendable, Equatable {
    public var queue: String
    public var deliveryLimit: Int
    /// The exchange dead letters go through; shared by all queues, routed by the queue's name.
    public var deadLetterExchange: String
    /// Seconds; each gets a delay queue.
    public var retryDelays: [Int]

    public init(queue: String, deliveryLimit: Int = 3, deadLetterExchange: String = "image-functions.dlx", retryDelays: [Int] = []) {
        self.queue = queue
        self.deliveryLimit = deliveryLimit
        self.deadLetterExchange = deadLetterExchange
        self.retryDelays = retryDelays
    }

    public var deadLetterQueue: String { "\(queue).dlq" }

    /// The delay queue whose messages come back into `queue` after `seconds`.
    public func delayQueue(seconds: Int) -> String { "\(queue).delay-\(seconds)s" }
}
