import Foundation
import FunctionRuntime
@testable import LocalRuntime
import Testing

/// local-runtime is as strict as API Gateway and Lambda by default: what would fail in the cloud fails here,
/// with a clear problem document. Each limit is exercised through real worker processes.
@Suite struct AWSLimitsTests {
    @Test func defaultsAreAWSsLimits() {
        let configuration = LocalRuntimeConfiguration(binary: RuntimeHarness.fixtureBinary)
        #expect(configuration.maxBodyBytes == 10_485_760)  // API Gateway HTTP API payload
        #expect(configuration.maxEventBytes == 6_291_456)  // Lambda synchronous request
        #expect(configuration.maxResponseBytes == 6_291_456)  // Lambda synchronous response
        #expect(configuration.integrationTimeout == .seconds(30))  // API Gateway integration timeout
        #expect(configuration.queueConcurrency == nil)
        #expect(LambdaLimits.maxRouteTimeoutSeconds == 29)
    }

    @Test func bodyOverTenMegabytesIsRefusedWithAHintAtThePresignedRoute() async throws {
        try await RuntimeHarness.with { h in
            let reply = try await h.request(.POST, "/echo/x", body: Data(count: 10_485_761), headers: [("Content-Type", "text/plain")])
            #expect(reply.status == 413)
            let problem = try reply.json()
            #expect(problem["code"] as? String == "payload_too_large")
            #expect((problem["detail"] as? String)?.contains("POST /images/uploads") == true)
        }
    }

    /// A binary body travels base64 in the event: 5 MB of bytes is a 6.7 MB event, over Lambda's 6 MB, while
    /// 5 MB of text is not. The refused request never reaches a worker.
    @Test func eventOverSixMegabytesIsRefusedBeforeTheFunctionRuns() async throws {
        try await RuntimeHarness.with { h in
            let refused = try await h.request(.POST, "/echo/x", body: Data(count: 5_000_000), headers: [("Content-Type", "image/png")])
            #expect(refused.status == 413)
            #expect(try refused.json()["code"] as? String == "payload_too_large")
            #expect(await h.runtime.workerProcessIDs("echo").isEmpty)

            let text = Data(repeating: 0x61, count: 5_000_000)
            let passed = try await h.request(.POST, "/echo/x", body: text, headers: [("Content-Type", "text/plain")])
            #expect(passed.status == 200)
            #expect(try passed.json()["body"] as? String == String(decoding: text, as: UTF8.self))
        }
    }

    /// A response over 6 MB fails the invocation (Lambda's Function.ResponseSizeTooLarge): the client gets 502
    /// `function_response_too_large`, and the worker lives on to answer the next request.
    @Test func responseOverSixMegabytesIsA502AndTheWorkerSurvives() async throws {
        try await RuntimeHarness.with(workers: 1) { h in
            let fits = try await h.request(.GET, "/big?bytes=6000000")
            #expect(fits.status == 200 && fits.body.count == 6_000_000)
            let pid = try #require(fits.header("x-pid"))

            let tooLarge = try await h.request(.GET, "/big?bytes=6300000")
            #expect(tooLarge.status == 502)
            #expect(try tooLarge.json()["code"] as? String == "function_response_too_large")

            let after = try await h.request(.GET, "/big?bytes=10")
            #expect(after.status == 200 && after.header("x-pid") == pid)
            #expect(h.runtime.metricsText().contains(#"function_invocations_total{function="big",outcome="response_too_large"} 1"#))
        }
    }

    /// A streamed answer arrives whole, framed by chunks; one that stops after its first bytes and passes the
    /// function's deadline ends the client's answer short (its head has gone), the worker is replaced, and
    /// the next request is answered.
    @Test func aStreamThatBreaksOffEndsTheAnswerShortAndTheWorkerIsReplaced() async throws {
        try await RuntimeHarness.with(workers: 1) { h in
            let whole = try await h.request(.GET, "/stream?kb=3000")
            #expect(whole.status == 200 && whole.body.count == 3000 * 1024)
            #expect(whole.body.last == UInt8(2999 % 251))
            let pid = try #require(whole.header("x-pid"))

            let started = ContinuousClock.now
            await #expect(throws: (any Error).self) { try await h.request(.GET, "/stream?kb=3000&stallAfter=100") }
            #expect(ContinuousClock.now - started < .seconds(10))

            let after = try await h.request(.GET, "/stream?kb=1")
            #expect(after.status == 200 && after.body.count == 1024 && after.header("x-pid") != pid)
            #expect(h.runtime.metricsText().contains(#"worker_restarts_total{function="stream"} 1"#))
        }
    }

    /// The work's answer always wins over a timer that has not fired: a cancelled timer once woke early and
    /// answered nil (504) for invocations that had finished.
    @Test func integrationTimeoutNeverHidesAnAnswer() async {
        // Many at once, so that timers and answers contend for the cooperative pool's threads.
        let lost = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<2000 {
                group.addTask { await IntegrationTimeout.run(within: .seconds(10)) { n } != n }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(lost == 0)
        #expect(await IntegrationTimeout.run(within: .milliseconds(20)) { () async -> Int in
            try? await Task.sleep(for: .seconds(1))
            return 1
        } == nil)
    }

    /// The client is answered at the integration timeout while the function runs on to its own end.
    @Test func integrationTimeoutAnswers504WhileTheInvocationRunsOn() async throws {
        try await RuntimeHarness.with(workers: 1, integrationTimeout: .milliseconds(500)) { h in
            #expect(try await h.request(.GET, "/sleep?ms=1").status == 200)  // a warm worker
            let pid = try #require(await h.runtime.workerProcessIDs("sleep").first)
            let start = ContinuousClock.now
            let reply = try await h.request(.GET, "/sleep?ms=1500")
            let waited = ContinuousClock.now - start
            #expect(reply.status == 504)
            #expect(try reply.json()["code"] as? String == "integration_timeout")
            #expect(waited < .milliseconds(1400))
            // The invocation finished on the same worker (not killed), which then takes the next request.
            try await Task.sleep(for: .milliseconds(1300))
            #expect(try await h.request(.GET, "/sleep?ms=1").status == 200)
            #expect(await h.runtime.workerProcessIDs("sleep") == [pid])
        }
    }
}
