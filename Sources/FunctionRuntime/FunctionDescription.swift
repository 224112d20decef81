/// What the platform needs to know of a function to deploy and trigger it; no code.
/// `image-functions --describe` prints the table of these as JSON, which `local-runtime` reads and a test
/// compares with `infra/template.yaml`.
public struct FunctionDescription: Codable, Sendable, Equatable {
    public var name: String
    public var summary: String
    /// Cut-off for one invocation.
    public var timeoutSeconds: Int
    public var memoryMB: Int
    /// HTTP routes served by the function (API Gateway HttpApi events).
    public var routes: [HTTPRoute]
    /// The RabbitMQ queue that triggers the function, if any.
    public var queue: QueueTrigger?
    /// A timer that invokes the function (an EventBridge schedule in AWS), if any.
    public var schedule: ScheduleTrigger?
    /// How its HTTP answers go back: buffered JSON (the HTTP API's Lambda integration) or streamed (a function
    /// URL with `InvokeMode: RESPONSE_STREAM` behind CloudFront), which functions that answer image bytes use.
    public var invokeMode: InvokeMode

    public init(
        name: String, summary: String, timeoutSeconds: Int = 10, memoryMB: Int = 512, routes: [HTTPRoute] = [],
        queue: QueueTrigger? = nil, schedule: ScheduleTrigger? = nil, invokeMode: InvokeMode = .buffered
    ) {
        self.name = name
        self.summary = summary
        self.timeoutSeconds = timeoutSeconds
        self.memoryMB = memoryMB
        self.routes = routes
        self.queue = queue
        self.schedule = schedule
        self.invokeMode = invokeMode
    }
}

/// A function URL's `InvokeMode`, by AWS's names.
public enum InvokeMode: String, Codable, Sendable {
    case buffered = "BUFFERED"
    case responseStream = "RESPONSE_STREAM"
}

/// `GET /images/{id}`: a method and a path template with `{name}` parameters.
public struct HTTPRoute: Codable, Sendable, Hashable, CustomStringConvertible {
    public var method: String
    public var path: String

    public init(_ method: String, _ path: String) {
        self.method = method
        self.path = path
    }

    /// API Gateway's route key.
    public var description: String { "\(method) \(path)" }

    /// A GET route and its HEAD twin: API Gateway routes HEAD only where a route says so, and every GET of the
    /// API answers HEAD (the same headers, no body; `HTTPInvocationHandler` drops the body).
    public static func get(_ path: String) -> [HTTPRoute] { [HTTPRoute("GET", path), HTTPRoute("HEAD", path)] }

    /// API Gateway's catch-all: requests no other route takes.
    public static let fallback = HTTPRoute("ANY", "$default")
}

/// A queue trigger. Messages are handed over one per invocation (batch size 1), so a failure redelivers only
/// the message that failed.
public struct QueueTrigger: Codable, Sendable, Hashable {
    public var queue: String
    public var batchSize: Int
    /// Set when `queue` is the dead-letter queue of another queue function's queue (`<that queue>.dlq`): the
    /// broker fills it after that queue's delivery limit, and it is declared together with that queue.
    public var deadLettersOf: String?

    public init(queue: String, batchSize: Int = 1) {
        self.queue = queue
        self.batchSize = batchSize
    }

    /// The trigger of the dead-letter queue of `queue`.
    public static func deadLetters(of queue: String) -> QueueTrigger {
        var trigger = QueueTrigger(queue: "\(queue).dlq")
        trigger.deadLettersOf = queue
        return trigger
    }
}

/// A fixed-rate timer: the function is invoked every `rateMinutes` with an EventBridge "Scheduled Event".
public struct ScheduleTrigger: Codable, Sendable, Hashable {
    public var rateMinutes: Int

    public init(rateMinutes: Int) { self.rateMinutes = rateMinutes }

    /// The SAM `Schedule` expression.
    public var expression: String { rateMinutes == 1 ? "rate(1 minute)" : "rate(\(rateMinutes) minutes)" }
}
