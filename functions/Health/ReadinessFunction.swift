import FunctionRuntime

/// `GET /readyz`: PostgreSQL, S3 and RabbitMQ all answer. 503 names every one that does not.
public struct ReadinessFunction: HTTPHandler {
    let checks: [DependencyCheck]
    /// Each probe gets this long; a dependency slower than this is as good as down for a request.
    let timeout: Duration

    init(checks: [DependencyCheck], timeout: Duration = .seconds(3)) {
        self.checks = checks
        self.timeout = timeout
    }

    public init(environment: FunctionEnvironment) {
        self.init(checks: [
            .postgres(environment.postgres),
            .s3(environment.s3),
            .rabbitMQ(environment.configuration.amqp),
        ])
    }

    struct Report: Encodable {
        var status: String
        var checks: [String: String]
    }

    public func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        var results: [String: String] = [:]
        await withTaskGroup(of: (String, String).self) { group in
            for check in checks {
                group.addTask { (check.name, await Self.run(check, timeout: timeout, context: context)) }
            }
            for await (name, result) in group { results[name] = result }
        }
        let down = checks.map(\.name).filter { results[$0] != "up" }
        if down.isEmpty {
            return .json(Report(status: "ready", checks: results), headers: ["cache-control": "no-store"])
        }
        return Problem(
            status: 503, code: "unavailable", title: "Service Unavailable",
            detail: "not ready: \(down.joined(separator: ", ")) \(down.count == 1 ? "is" : "are") unreachable"
        ).response(headers: ["retry-after": "5", "cache-control": "no-store"])
    }

    /// "up", or "down" (logged with the reason; the reason is not sent to clients).
    private static func run(_ check: DependencyCheck, timeout: Duration, context: InvocationContext) async -> String {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await check.probe() }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw ConfigurationError("timed out after \(timeout)")
                }
                try await group.next()
                group.cancelAll()
            }
            return "up"
        } catch {
            context.logger.warning(
                "dependency down", metadata: ["dependency": "\(check.name)", "error.message": "\(String(describing: error))"]
            )
            return "down"
        }
    }
}
