import Foundation
import FunctionRuntime
import Logging
import ServiceLifecycle
import Testing

/// The invocation loop and the HTTP Runtime API client against a fake Runtime API served over HTTP.
@Suite struct RuntimeLoopTests {
    struct Echo: InvocationHandler {
        func handle(_ event: Data, context: InvocationContext) async throws -> Data {
            Data("echo:".utf8) + event
        }
    }

    struct Failing: InvocationHandler {
        struct Refusal: Error, CustomStringConvertible { var description: String { "refused on purpose" } }
        func handle(_ event: Data, context: InvocationContext) async throws -> Data { throw Refusal() }
    }

    /// Answers with what it saw of the invocation's deadline.
    struct DeadlineReporter: InvocationHandler {
        func handle(_ event: Data, context: InvocationContext) async throws -> Data {
            Data("\(context.metadata.deadlineMs) \(context.requestID) \(context.remainingTime > .zero)".utf8)
        }
    }

    /// Runs the loop with `handler` until `posts` answers arrived, then stops it.
    func run(_ handler: some InvocationHandler, invocations: [(String, Int64, String)]) async throws -> [FakeRuntimeAPI.Posted] {
        let fake = FakeRuntimeAPI()
        for (id, deadline, event) in invocations { await fake.enqueue(id: id, deadlineMs: deadline, event: Data(event.utf8)) }
        return try await fake.serve { address in
            let loop = RuntimeLoop(
                client: HTTPRuntimeAPIClient(address: address), handler: handler, functionName: "test",
                logger: Logger(label: "test")
            )
            let task = Task { try await loop.run() }
            let posted = await fake.waitForPosts(invocations.count)
            task.cancel()
            _ = await task.result
            return posted
        }
    }

    var farDeadline: Int64 { Int64(Date().timeIntervalSince1970 * 1000) + 60_000 }

    @Test func postsTheHandlersResponse() async throws {
        let posted = try await run(Echo(), invocations: [("req-1", farDeadline, "one"), ("req-2", farDeadline, "two")])
        #expect(posted.map(\.kind) == ["response", "response"])
        #expect(posted.map(\.requestID) == ["req-1", "req-2"])
        #expect(posted.map { String(decoding: $0.body, as: UTF8.self) } == ["echo:one", "echo:two"])
    }

    @Test func postsAHandlerErrorToTheErrorEndpoint() async throws {
        let posted = try await run(Failing(), invocations: [("req-9", farDeadline, "{}")])
        let post = try #require(posted.first)
        #expect(post.kind == "error")
        #expect(post.requestID == "req-9")
        #expect(post.errorTypeHeader == "Refusal")
        let report = try JSONDecoder().decode(ErrorReport.self, from: post.body)
        #expect(report == ErrorReport(errorType: "Refusal", errorMessage: "refused on purpose"))
    }

    @Test func passesTheDeadlineToTheHandler() async throws {
        let deadline = farDeadline
        let posted = try await run(DeadlineReporter(), invocations: [("req-d", deadline, "")])
        #expect(String(decoding: try #require(posted.first).body, as: UTF8.self) == "\(deadline) req-d true")
    }

    @Test func keepsServingAfterAFailure() async throws {
        struct FailOnce: InvocationHandler {
            func handle(_ event: Data, context: InvocationContext) async throws -> Data {
                if event == Data("bad".utf8) { throw RuntimeError(.invalidEvent, "bad event") }
                return event
            }
        }
        let posted = try await run(FailOnce(), invocations: [("a", farDeadline, "bad"), ("b", farDeadline, "good")])
        #expect(posted.map(\.kind) == ["error", "response"])
        #expect(posted[0].errorTypeHeader == "InvalidEvent")
    }

    @Test func unknownHandlerPostsAnInitErrorListingTheKnownNames() async throws {
        let fake = FakeRuntimeAPI()
        let table = FunctionTable<Void>([
            FunctionDefinition(FunctionDescription(name: "alpha", summary: "")) { _ in Echo() },
            FunctionDefinition(FunctionDescription(name: "beta", summary: "")) { _ in Echo() },
        ])
        let (status, posted) = try await fake.serve { address in
            let status = await FunctionMain.run(
                table: table, arguments: ["image-functions"],
                environment: ["_HANDLER": "gamma", "AWS_LAMBDA_RUNTIME_API": address]
            ) { _ in ((), []) }
            return (status, await fake.waitForPosts(1))
        }
        #expect(status != 0)
        let post = try #require(posted.first)
        #expect(post.kind == "init-error")
        let report = try JSONDecoder().decode(ErrorReport.self, from: post.body)
        #expect(report.errorType == "UnknownHandler")
        #expect(report.errorMessage.contains("gamma"))
        #expect(report.errorMessage.contains("alpha, beta"))
    }

    @Test func failedInitPostsAnInitError() async throws {
        struct NoDatabase: Error, CustomStringConvertible { var description: String { "DATABASE_URL is not set" } }
        let fake = FakeRuntimeAPI()
        let table = FunctionTable<Void>([
            FunctionDefinition(FunctionDescription(name: "alpha", summary: "")) { _ in throw NoDatabase() }
        ])
        let (status, posted) = try await fake.serve { address in
            let status = await FunctionMain.run(
                table: table, arguments: ["image-functions", "--handler", "alpha"],
                environment: ["AWS_LAMBDA_RUNTIME_API": address]
            ) { _ in ((), []) }
            return (status, await fake.waitForPosts(1))
        }
        #expect(status != 0)
        let report = try JSONDecoder().decode(ErrorReport.self, from: try #require(posted.first).body)
        #expect(report.errorMessage == "DATABASE_URL is not set")
    }

    @Test func describePrintsNothingButSucceeds() async throws {
        let table = FunctionTable<Void>([FunctionDefinition(FunctionDescription(name: "alpha", summary: "")) { _ in Echo() }])
        let status = await FunctionMain.run(table: table, arguments: ["x", "--describe"], environment: [:]) { _ in ((), []) }
        #expect(status == 0)
    }
}
