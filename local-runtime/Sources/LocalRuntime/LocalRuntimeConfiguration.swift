import Foundation
import FunctionRuntime
import Messaging

/// local-runtime's settings; `local-runtime --help` and README.md document each.
public struct LocalRuntimeConfiguration: Sendable {
    /// The ingress address. Loopback by default: nothing here is meant for other machines.
    public var host: String = "127.0.0.1"
    /// 0 picks a free port (tests).
    public var port: Int = 8080
    /// The function binary that workers run and whose `--describe` gives the table of functions.
    public var binary: URL
    /// Worker processes per function, each with one invocation in flight.
    public var workersPerFunction: Int = 2
    /// Invocations per function that may wait for a busy worker; past that, 503.
    public var maxWaiting: Int = 64
    /// How long an invocation may wait for a worker before it gets 503.
    public var maxWait: Duration = .seconds(10)
    /// Request bodies over this are refused with 413 before they are read: API Gateway's 10 MB by default.
    public var maxBodyBytes: Int = LambdaLimits.maxRequestBodyBytes
    /// An HTTP request whose payload 2.0 event is larger than this is refused with 413 (Lambda's 6 MB for a
    /// synchronous invocation; the event carries a binary body base64-encoded, a third larger).
    public var maxEventBytes: Int = LambdaLimits.maxPayloadBytes
    /// A function response larger than this fails the invocation (Lambda's 6 MB); the client gets 502
    /// `function_response_too_large`.
    public var maxResponseBytes: Int = LambdaLimits.maxPayloadBytes
    /// The client of an HTTP route gets 504 by then, whatever the function's timeout, as from API Gateway;
    /// the invocation itself runs on until its own deadline, as in Lambda.
    public var integrationTimeout: Duration = .seconds(LambdaLimits.integrationTimeoutSeconds)
    /// Concurrent invocations of each queue function (its workers and the consumer's prefetch); nil for
    /// `workersPerFunction`. Lambda runs one at a time per Amazon MQ event source: 1 is Lambda's behaviour.
    public var queueConcurrency: Int?
    /// RabbitMQ, for queue-triggered functions; nil runs HTTP functions only.
    public var amqp: AMQPSettings?
    /// Queue names to use instead of those the table declares (trigger name to actual name), so that runs
    /// sharing a broker, such as parallel tests, do not take each other's messages.
    public var queueNames: [String: String] = [:]
    /// Deliveries of one message before it is dead-lettered.
    public var deliveryLimit: Int = 3
    /// Functions invoked once, in order, before ingress opens (schema migrations); a failure stops the start.
    public var startupFunctions: [String] = ["migrate"]
    /// Cross-origin access, as API Gateway's CORS configuration gives it (`CORS_ALLOWED_ORIGINS`); none by default.
    public var cors = GatewayCORS(allowedOrigins: [])
    /// A connection's first request head must be complete within this (later ones within `idleTimeout` of the
    /// previous answer), or it gets 408 and is closed.
    public var headerTimeout: Duration = .seconds(10)
    /// A request body must arrive within this, or the request gets 408 and the connection is closed.
    public var bodyTimeout: Duration = .seconds(30)
    /// A connection that sends nothing for this long is closed (slow or stalled clients).
    public var idleTimeout: Duration = .seconds(60)
    /// Whether scheduled functions run on their timers.
    public var runSchedules: Bool = true
    /// Runs every schedule at this period instead of its declared rate (development and tests).
    public var scheduleOverride: Duration?
    /// The environment worker processes get (the function's settings).
    public var workerEnvironment: [String: String] = ProcessInfo.processInfo.environment

    public init(binary: URL) {
        self.binary = binary
    }
}
