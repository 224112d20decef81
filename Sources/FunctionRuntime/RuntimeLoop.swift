import Foundation
import Logging
import ServiceLifecycle

/// The invocation loop: ask for the next event, hand it to the handler, post the result or the error.
/// One invocation at a time, as Lambda runs them. On graceful shutdown it stops asking for more; an
/// invocation already running finishes and is answered first.
public struct RuntimeLoop<Client: RuntimeAPIClient>: Service {
    public let client: Client
    public let handler: any InvocationHandler
    public let functionName: String
    public let logger: Logger
    /// When set, a handler still running this long before the deadline is failed by the loop
    /// (`Function.DeadlineExceeded`) rather than left to be killed at it, which would end the process and every
    /// pool in it. nil leaves the deadline to the platform (the fixture functions that test local-runtime's
    /// timeouts run so).
    public let deadlineMargin: Duration?
    /// Whether HTTP answers go back streamed (the function's `InvokeMode`).
    public let streamsResponses: Bool
    /// The function's routes (see `APIGatewayV2Request.matchingPathParameters`).
    public let routes: [HTTPRoute]

    public init(
        client: Client, handler: any InvocationHandler, functionName: String, logger: Logger, deadlineMargin: Duration? = nil,
        streamsResponses: Bool = false, routes: [HTTPRoute] = []
    ) {
        self.client = client
        self.streamsResponses = streamsResponses
        self.routes = routes
        self.handler = handler
        self.functionName = functionName
        self.logger = logger
        self.deadlineMargin = deadlineMargin
    }

    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            let invocation: Invocation
            do {
                invocation = try await cancelWhenGracefulShutdown { try await client.nextInvocation() }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                throw error
            }
            try await runOne(invocation)
        }
    }

    /// Runs one invocation and answers it, then logs one line for it: request id and handler (in the
    /// context's logger), outcome, HTTP status, duration and user, never a body. Only a failure to reach the
    /// Runtime API escapes.
    func runOne(_ invocation: Invocation) async throws {
        let context = InvocationContext(
            metadata: invocation.metadata, functionName: functionName, logger: logger, streamsResponse: streamsResponses,
            routes: routes
        )
        let record = InvocationRecord()
        let start = ContinuousClock.now
        let output: InvocationOutput
        do {
            output = try await InvocationRecord.$current.withValue(record) {
                try await withDeadline(deadlineMargin.map { context.budget(keeping: $0) }) { [handler] in
                    try await handler.output(invocation.event, context: context)
                }
            }
        } catch {
            let report = ErrorReport(error)
            var line = Self.fields(record, start: start, outcome: "error")
            line["error.type"] = "\(report.errorType)"
            line["error.message"] = "\(report.errorMessage)"
            context.logger.error("invocation", metadata: line)
            try await client.reportError(requestID: invocation.metadata.requestID, report)
            return
        }
        do {
            switch output {
            case .buffered(let body): try await client.respond(requestID: invocation.metadata.requestID, body: body)
            case .streamed(let response): try await client.respond(requestID: invocation.metadata.requestID, streaming: response)
            }
        } catch let error as RuntimeError where error.code == .responseTooLarge {
            // Lambda has failed the invocation already; the loop goes on to the next one.
            var line = Self.fields(record, start: start, outcome: "response_too_large")
            line["error.type"] = "\(error.code)"
            switch output {
            case .buffered(let body): line["response.bytes"] = .stringConvertible(body.count)
            case .streamed(let response): line["response.bytes"] = .stringConvertible(response.body.count)
            }
            context.logger.error("invocation", metadata: line)
            return
        }
        context.logger.info("invocation", metadata: Self.fields(record, start: start, outcome: "ok"))
    }

    static func fields(_ record: InvocationRecord, start: ContinuousClock.Instant, outcome: String) -> Logger.Metadata {
        var fields: Logger.Metadata = ["outcome": .string(outcome), "duration.ms": .stringConvertible(milliseconds(since: start))]
        if let status = record.status { fields["http.status"] = .stringConvertible(status) }
        if let user = record.userID { fields["user.id"] = .string(user) }
        let stages = record.stages
        if !stages.isEmpty {
            fields["stages"] = .string(stages.map { "\($0.name)=\(ServerTiming.milliseconds($0.duration))" }.joined(separator: " "))
        }
        return fields
    }

    private static func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }
}
