import Foundation
import FunctionRuntime
@testable import Functions
import Logging
import ServiceLifecycle
import Testing

/// `GET /readyz` against the real services, and with each one pointed at a closed port in turn.
@Suite struct ReadinessTests {
    func environment(overriding overrides: [String: String] = [:]) throws -> [String: String] {
        let env = ProcessInfo.processInfo.environment
        _ = try #require(env["DATABASE_URL"], "DATABASE_URL is not set: run the tests with infra/dev/test")
        return env.merging(overrides) { $1 }
    }

    /// Connection failures are the point of some of these tests: log only errors.
    let logger: Logger = {
        var logger = Logger(label: "readyz-test")
        logger.logLevel = .error
        return logger
    }()

    func ready(_ env: [String: String]) async throws -> APIGatewayV2Response {
        let (shared, services) = try FunctionEnvironment.make(environment: env, logger: logger)
        let function = ReadinessFunction(environment: shared)
        let context = InvocationContext(
            metadata: .init(requestID: "r", deadlineMs: Int64(Date().timeIntervalSince1970 * 1000) + 10_000),
            functionName: "ready", logger: logger
        )
        let request = APIGatewayV2Request(
            routeKey: "GET /readyz", rawPath: "/readyz", rawQueryString: "", headers: [:],
            requestContext: .init(
                accountId: "0", apiId: "local", domainName: "localhost", domainPrefix: "localhost",
                http: .init(method: "GET", path: "/readyz", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: ""),
                requestId: "r", routeKey: "GET /readyz", stage: "$default", time: "", timeEpoch: 0
            )
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services { group.addTask { try await service.run() } }
            defer { group.cancelAll() }
            return try await function.handle(request, context: context)
        }
    }

    @Test func readyWhenAllThreeAnswer() async throws {
        let response = try await ready(try environment())
        #expect(response.statusCode == 200)
        #expect(response.body?.contains(#""status":"ready""#) == true)
    }

    @Test(arguments: [
        ("postgres", "DATABASE_URL", "postgres://imagefunctions:x@127.0.0.1:1/imagefunctions"),
        ("rabbitmq", "AMQP_URL", "amqp://imagefunctions:x@127.0.0.1:1/imagefunctions"),
        ("s3", "S3_ENDPOINT", "http://127.0.0.1:1"),
    ])
    func namesTheDependencyThatIsDown(name: String, key: String, value: String) async throws {
        let start = ContinuousClock.now
        let response = try await ready(try environment(overriding: [key: value]))
        #expect(response.statusCode == 503)
        #expect(response.headers?["content-type"] == "application/problem+json")
        #expect(response.headers?["retry-after"] != nil)
        let problem = try JSONDecoder().decode(Problem.self, from: Data((response.body ?? "").utf8))
        #expect(problem.code == "unavailable")
        #expect(problem.detail == "not ready: \(name) is unreachable")
        // Each probe is cut at 3 s; this only catches a probe that hangs (the machine may be busy).
        #expect(ContinuousClock.now - start < .seconds(60))
    }
}
