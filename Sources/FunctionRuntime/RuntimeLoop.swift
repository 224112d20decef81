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

    public init(client: Client, handler: any InvocationHandler, functionName: String, logger: Logger) {
        self.client = client
        self.handler = handler
        self.functionName = functionName
        self.logger = logger
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

    /// Runs one invocation and answers it. Only a failure to reach the Runtime API escapes.
    func runOne(_ invocation: Invocation) async throws {
        let context = InvocationContext(metadata: invocation.metadata, functionName: functionName, logger: logger)
        let start = ContinuousClock.now
        let output: Data
        do {
            output = try await handler.handle(invocation.event, context: context)
        } catch {
            let report = ErrorReport(error)
            context.logger.error(
                "invocation failed",
                metadata: [
                    "duration.ms": "\(milliseconds(since: start))", "error.type": "\(report.errorType)",
                    "error.message": "\(report.errorMessage)",
                ]
            )
            try await client.reportError(requestID: invocation.metadata.requestID, report)
            return
        }
        try await client.respond(requestID: invocation.metadata.requestID, body: output)
        context.logger.debug("invocation done", metadata: ["duration.ms": "\(milliseconds(since: start))"])
    }

    private func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        let elapsed = ContinuousClock.now - start
        return elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
    }
}
