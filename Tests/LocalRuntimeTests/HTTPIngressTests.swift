import AsyncHTTPClient
import NIOHTTP1
import Foundation
import LocalRuntime
import Testing

/// Requests through local-runtime to real worker processes of the fixture binary.
@Suite(.serialized) struct HTTPIngressTests {
    @Test func requestReachesAWorkerAsAPayload2Event() async throws {
        try await RuntimeHarness.with { h in
            let reply = try await h.request(.GET, "/echo?size=800&tag=a%20b&tag=c", headers: [("X-Trace", "t1"), ("Cookie", "a=1; b=2")])
            #expect(reply.status == 200)
            #expect(reply.header("x-fixture") == "echo")
            #expect(reply.header("apigw-requestid") != nil)
            let json = try reply.json()
            #expect(json["routeKey"] as? String == "GET /echo")
            #expect(json["method"] as? String == "GET")
            #expect(json["path"] as? String == "/echo")
            #expect((json["query"] as? [String: String]) == ["size": "800", "tag": "a b,c"])
            #expect((json["remainingMs"] as? Int ?? 0) > 3000)  // the 5 s timeout, as a deadline
        }
    }

    @Test func binaryBodiesTravelAsBase64AndTextAsText() async throws {
        try await RuntimeHarness.with { h in
            let bytes = Data([0xFF, 0xD8, 0xFF, 0x00, 0x01])
            let binary = try await h.request(.POST, "/echo/photo%20one", body: bytes, headers: [("Content-Type", "image/jpeg")])
            let json = try binary.json()
            #expect(json["isBase64Encoded"] as? Bool == true)
            #expect(json["body"] as? String == bytes.base64EncodedString())
            #expect(json["routeKey"] as? String == "POST /echo/{name}")
            #expect((json["pathParameters"] as? [String: String]) == ["name": "photo one"])

            let text = try await h.request(.POST, "/echo/x", body: Data(#"{"a":1}"#.utf8), headers: [("Content-Type", "application/json")])
            let textJSON = try text.json()
            #expect(textJSON["isBase64Encoded"] as? Bool == false)
            #expect(textJSON["body"] as? String == #"{"a":1}"#)
        }
    }

    @Test func workerKilledMidRequestGives502AndIsReplaced() async throws {
        try await RuntimeHarness.with(workers: 1) { h in
            async let slow = h.request(.GET, "/sleep?ms=1500&pidfile=victim")
            #expect(await h.eventually { !h.recorded("victim").isEmpty })
            let pid = try #require(h.recorded("victim").first.flatMap { Int32($0) })
            kill(pid, SIGKILL)
            let reply = try await slow
            #expect(reply.status == 502)
            #expect(try reply.json()["code"] as? String == "function_crashed")

            let next = try await h.request(.GET, "/sleep?ms=1&pidfile=replacement")
            #expect(next.status == 200)
            let replacement = try #require(h.recorded("replacement").first.flatMap { Int32($0) })
            #expect(replacement != pid)
        }
    }

    @Test func handlerPastItsTimeoutGives504AndTheNextRequestSucceeds() async throws {
        try await RuntimeHarness.with(workers: 1) { h in
            let start = ContinuousClock.now
            let reply = try await h.request(.GET, "/sleep?ms=10000&pidfile=hung")
            #expect(reply.status == 504)
            #expect(try reply.json()["code"] as? String == "function_timeout")
            #expect(ContinuousClock.now - start < .seconds(8))  // cut at the 2 s timeout, not after 10 s
            let hung = try #require(h.recorded("hung").first.flatMap { Int32($0) })
            #expect(await h.eventually { kill(hung, 0) != 0 })  // the hung worker is gone

            let next = try await h.request(.GET, "/sleep?ms=1")
            #expect(next.status == 200)
            #expect(next.text == "slept 1")
        }
    }

    @Test func handlerErrorGives502Problem() async throws {
        try await RuntimeHarness.with { h in
            let reply = try await h.request(.GET, "/fail")
            #expect(reply.status == 502)
            #expect(reply.header("content-type") == "application/problem+json")
            let json = try reply.json()
            #expect(json["code"] as? String == "function_failed")
            #expect(!reply.text.contains("on purpose"))  // the function's error message is not a client's business
        }
    }

    /// A startup function that fails (migrate with a DATABASE_URL it refuses) stops local-runtime with the error, rather
    /// than leaving it, or a test, waiting for ingress.
    @Test func aFailedStartupFunctionStopsTheRuntime() async throws {
        let start = ContinuousClock.now
        let error = await #expect(throws: RuntimeHarness.StartFailed.self) {
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: ["DATABASE_URL": "mysql://not-postgres", "LOG_LEVEL": "critical"]
            ) { _ in }
        }
        #expect(error?.description.contains("migrate failed") == true, "\(String(describing: error))")
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test func unknownRouteIs404Problem() async throws {
        try await RuntimeHarness.with { h in
            let reply = try await h.request(.GET, "/nowhere")
            #expect(reply.status == 404)
            #expect(try reply.json()["code"] as? String == "not_found")
        }
    }

    @Test func bodyOverTheLimitIs413BeforeItIsRead() async throws {
        try await RuntimeHarness.with(maxBodyBytes: 1024) { h in
            let reply = try await h.request(.POST, "/echo/x", body: Data(count: 4096), headers: [("Content-Type", "image/png")])
            #expect(reply.status == 413)
            #expect(try reply.json()["code"] as? String == "payload_too_large")
        }
    }

    @Test func expectContinueGetsAnInterim100ThenTheAnswer() async throws {
        try await RuntimeHarness.with(maxBodyBytes: 1 << 20) { h in
            let port = await h.runtime.port()
            let connection = try RawHTTPConnection(port: port)
            let body = Data(repeating: 0x41, count: 2048)
            connection.send(Data("POST /echo/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: \(body.count)\r\nExpect: 100-continue\r\n\r\n".utf8))
            let interim = await connection.read(until: "\r\n\r\n")
            #expect(interim.hasPrefix("HTTP/1.1 100 Continue"))
            connection.send(body)
            let final = await connection.read(until: "\"pid\"")
            #expect(final.contains("HTTP/1.1 200 OK"))

            // Declared over the limit: no 100, a 413 straight away, and the body is never asked for.
            let refused = try RawHTTPConnection(port: port)
            refused.send(Data("POST /echo/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(2 << 20)\r\nExpect: 100-continue\r\n\r\n".utf8))
            let answer = await refused.read(until: "payload_too_large")
            #expect(answer.hasPrefix("HTTP/1.1 413"))
            #expect(!answer.contains("100 Continue"))
        }
    }

    @Test func busyWorkersQueueThenRefuseWith503() async throws {
        try await RuntimeHarness.with(workers: 1, maxWaiting: 1) { h in
            // Warm the one worker first, so the timings below do not include its start.
            #expect(try await h.request(.GET, "/sleep?ms=1").status == 200)
            async let first = h.request(.GET, "/sleep?ms=1200")
            try await Task.sleep(for: .milliseconds(300))
            async let second = h.request(.GET, "/sleep?ms=10")
            try await Task.sleep(for: .milliseconds(200))
            let third = try await h.request(.GET, "/sleep?ms=10")
            #expect(third.status == 503)
            #expect(third.header("retry-after") == "1")
            #expect(try await first.status == 200)
            #expect(try await second.status == 200)  // waited for the one worker, then ran
        }
    }

    @Test func waitingTooLongIs503() async throws {
        try await RuntimeHarness.with(workers: 1, maxWait: .milliseconds(300)) { h in
            #expect(try await h.request(.GET, "/sleep?ms=1").status == 200)  // a warm worker
            async let first = h.request(.GET, "/sleep?ms=1500")
            try await Task.sleep(for: .milliseconds(300))
            let second = try await h.request(.GET, "/sleep?ms=1")
            #expect(second.status == 503)
            #expect(try await first.status == 200)
        }
    }

    @Test func workersStayWarmBetweenRequests() async throws {
        try await RuntimeHarness.with(workers: 1) { h in
            var pids = Set<Int>()
            for _ in 0..<5 {
                let json = try await h.request(.GET, "/echo").json()
                pids.insert(json["pid"] as? Int ?? -1)
            }
            #expect(pids.count == 1)
            #expect(await h.runtime.coldStarts().count == 1)
        }
    }

    @Test func metricsAreLabelledByRouteTemplate() async throws {
        try await RuntimeHarness.with { h in
            _ = try await h.request(.POST, "/echo/abc", body: Data("x".utf8), headers: [("Content-Type", "text/plain")])
            _ = try await h.request(.GET, "/fail")
            let metrics = try await h.request(.GET, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains(#"http_requests_total{route="/echo/{name}",method="POST",status="200"} 1"#))
            #expect(metrics.text.contains(#"function_invocations_total{function="fail",outcome="function_error"} 1"#))
            #expect(metrics.text.contains("http_request_duration_seconds_bucket"))
            #expect(metrics.text.contains("worker_cold_start_seconds"))
            #expect(!metrics.text.contains("/echo/abc"))
        }
    }

    @Test func shutdownLetsInFlightRequestsFinishThenStopsWorkers() async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("drain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var configuration = LocalRuntimeConfiguration(binary: RuntimeHarness.fixtureBinary)
        configuration.port = 0
        configuration.startupFunctions = []
        configuration.workerEnvironment = ["FIXTURE_OUTPUT_DIR": output.path]
        let runtime = try LocalRuntime(configuration: configuration, logger: .init(label: "drain"))
        let running = Task { try await runtime.run(handleSignals: false) }
        let base = "http://127.0.0.1:\(await runtime.port())"

        let inFlight = Task { () -> Int in
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/sleep?ms=1000&pidfile=drain"), timeout: .seconds(10))
            return Int(response.status.code)
        }
        let pidFile = output.appendingPathComponent("drain")
        while (try? String(contentsOf: pidFile, encoding: .utf8)) == nil { try await Task.sleep(for: .milliseconds(20)) }
        let pid = try #require(Int32((try String(contentsOf: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        await runtime.shutdown()
        #expect(try await inFlight.value == 200)
        try await running.value
        #expect(kill(pid, 0) != 0)  // the worker was stopped
        await #expect(throws: (any Error).self) {
            _ = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/echo"), timeout: .seconds(2))
        }
    }
}
