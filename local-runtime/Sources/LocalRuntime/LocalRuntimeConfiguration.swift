import Foundation
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
    /// Request bodies over this are refused with 413 before they are read (a 25 MB image as base64 JSON fits).
    public var maxBodyBytes: Int = 40 << 20
    /// RabbitMQ, for queue-triggered functions; nil runs HTTP functions only.
    public var amqp: AMQPSettings?
    /// Queue names to use instead of those the table declares (trigger name to actual name), so that runs
    /// sharing a broker, such as parallel tests, do not take each other's messages.
    public var queueNames: [String: String] = [:]
    /// Deliveries of one message before it is dead-lettered.
    public var deliveryLimit: Int = 3
    /// Functions invoked once, in order, before ingress opens (schema migrations); a failure stops the start.
    public var startupFunctions: [String] = ["migrate"]
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
