import Foundation
@testable import FunctionRuntime
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
    func run(
        _ handler: some InvocationHandler, invocations: [(String, Int64, String)], deadlineMargin: Duration? = nil
    ) async throws -> [FakeRuntimeAPI.Posted] {
        let fake = FakeRuntimeAPI()
        for (id, deadline, event) in invocations { await fake.enqueue(id: id, deadlineMs: deadline, event: Data(event.utf8)) }
        return try await fake.serve { address in
            let loop = RuntimeLoop(
                client: HTTPRuntimeAPIClient(address: address), handler: handler, functionName: "test",
                logger: Logger(label: "test"), deadlineMargin: deadlineMargin
            )
            let task = Task { try await loop.run() }
            let posted = await fake.waitForPosts(invocations.count)
            task.cancel()
            _ = await task.result
            return posted
        }
    }

    /// Waits until cancelled, as a handler blocked on a dependency that does not answer does.
    struct Hanging: InvocationHandler {
        func handle(_ event: Data, context: InvocationContext) async throws -> Data {
            try await Task.sleep(for: .seconds(30))
            return Data("too late".utf8)
        }
    }

    /// A handler still running `deadlineMargin` before the deadline is failed by the loop, which lives on for the
    /// next invocation: Lambda would kill the whole process at the deadline. (The margin is wide here, so that
    /// the handler is cut after about 3 s and a slow start under load cannot make it a wait of the full 20.)
    @Test func aHandlerPastItsBudgetIsFailedBeforeTheDeadline() async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let posted = try await run(Hanging(), invocations: [("req-hang", now + 20_000, "{}")], deadlineMargin: .seconds(17))
        #expect(posted.map(\.kind) == ["error"])
        #expect(posted.first?.errorTypeHeader == "Function.DeadlineExceeded")
    }

    var farDeadline: Int64 { Int64(Date().timeIntervalSince1970 * 1000) + 60_000 }

    /// Keeps what a logger was given, for the one-line-per-invocation check.
    final class Captured: @unchecked Sendable {
        let lock = NSLock()
        var entries: [(level: Logger.Level, message: String, metadata: Logger.Metadata)] = []
    }
    struct CapturingHandler: LogHandler {
        let captured: Captured
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            captured.lock.withLock { captured.entries.append((level, message.description, metadata.merging(explicit ?? [:]) { $1 })) }
        }
    }

    /// An HTTP handler that acts for a user, as the account functions do.
    struct SignedIn: HTTPHandler {
        func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
            InvocationRecord.current?.userID = "user-7"
            return APIGatewayV2Response(statusCode: 201, body: "secret body")
        }
    }

    @Test func eachInvocationLogsOneLineWithItsOutcomeStatusDurationAndUser() async throws {
        let captured = Captured()
        let fake = FakeRuntimeAPI()
        let sample = try #require(Bundle.module.url(forResource: "Payloads/apigateway-v2-request", withExtension: "json"))
        await fake.enqueue(id: "req-log", deadlineMs: farDeadline, event: try Data(contentsOf: sample))
        await fake.enqueue(id: "req-fail", deadlineMs: farDeadline, event: Data("not an event".utf8))
        _ = try await fake.serve { address in
            let loop = RuntimeLoop(
                client: HTTPRuntimeAPIClient(address: address), handler: HTTPInvocationHandler(SignedIn()), functionName: "test",
                logger: Logger(label: "test") { _ in CapturingHandler(captured: captured) }
            )
            let task = Task { try await loop.run() }
            let posted = await fake.waitForPosts(2)
            task.cancel()
            _ = await task.result
            return posted
        }
        let lines = captured.lock.withLock { captured.entries.filter { $0.message == "invocation" } }
        #expect(lines.count == 2)
        let ok = try #require(lines.first { $0.metadata["request.id"] == "req-log" })
        #expect(ok.level == .info)
        #expect(ok.metadata["handler.name"] == "test")
        #expect(ok.metadata["outcome"] == "ok")
        #expect(ok.metadata["http.status"]?.description == "201")
        #expect(ok.metadata["user.id"] == "user-7")
        #expect(ok.metadata["duration.ms"] != nil)
        #expect(!ok.metadata.description.contains("secret body"))
        let failed = try #require(lines.first { $0.metadata["request.id"] == "req-fail" })
        #expect(failed.level == .error)
        #expect(failed.metadata["outcome"] == "error")
        #expect(failed.metadata["error.type"] != nil && failed.metadata["user.id"] == nil)
    }

    /// JSONLogHandler writes one object per line with the metadata as fields.
    @Test func jsonLogLinesCarryMetadataAsFields() throws {
        let value = JSONLogHandler.json(.dictionary([
            "a": .string("b"), "n": .stringConvertible(3), "ms": .stringConvertible(Int64(53)), "list": .array([.string("x")]),
            "other": .stringConvertible(URL(fileURLWithPath: "/x")),
        ]))
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        #expect(String(decoding: data, as: UTF8.self) == #"{"a":"b","list":["x"],"ms":53,"n":3,"other":"file:///x"}"#)
    }

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
