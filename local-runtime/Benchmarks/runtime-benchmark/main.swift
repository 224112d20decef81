import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import LocalRuntime
import Logging
import NIOCore

// Measures what local-runtime costs around a function: GET /healthz through local-runtime (payload 2.0 event,
// Runtime API round trip to a worker process of image-functions) against a bare Hummingbird route answering the
// same body, in this same process and run, interleaved so both see the same machine load. Also the worker cold
// start (spawn to first request for work, and to the first answered request).
//
//   swift build -c release --product image-functions && swift run -c release runtime-benchmark [requests]

let requests = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 4000
var logger = Logger(label: "runtime-benchmark")
logger.logLevel = .error

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
}

func milliseconds(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }

// The baseline: a bare route answering what the health function answers.
let barePort = AsyncStream<Int>.makeStream()
let bare = Application(
    router: {
        let router = Router()
        router.get("/healthz") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        return router
    }(),
    configuration: .init(address: .hostname("127.0.0.1", port: 0)),
    onServerRunning: { barePort.continuation.yield($0.localAddress?.port ?? 0) },
    logger: {
        var quiet = logger
        quiet.logLevel = .critical  // it is cancelled at the end, which Hummingbird logs as an error
        return quiet
    }()
)

let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    .appendingPathComponent("image-functions")
var configuration = LocalRuntimeConfiguration(binary: binary)
configuration.port = 0
configuration.workersPerFunction = 1
configuration.startupFunctions = []
configuration.workerEnvironment = ["LOG_LEVEL": "error", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? ""]
let runtime = try LocalRuntime(configuration: configuration, logger: logger)

let bareTask = Task { try await bare.runService(gracefulShutdownSignals: []) }
let runtimeTask = Task { try await runtime.run(handleSignals: false) }
let bareURL = "http://127.0.0.1:\(await barePort.stream.first { _ in true } ?? 0)/healthz"
let runtimeURL = "http://127.0.0.1:\(await runtime.port())/healthz"

func get(_ url: String) async throws -> Duration {
    let start = ContinuousClock.now
    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
    _ = try await response.body.collect(upTo: 1 << 16)
    guard response.status == .ok else { fatalError("\(url) answered \(response.status)") }
    return ContinuousClock.now - start
}

// Cold start: the first request spawns the worker.
let firstRequest = try await get(runtimeURL)
let coldStart = await runtime.coldStarts().first ?? .zero

// Warm-up, then interleaved blocks of 100.
for _ in 0..<200 {
    _ = try await get(bareURL)
    _ = try await get(runtimeURL)
}
var bareTimes: [Double] = [], runtimeTimes: [Double] = []
for block in 0..<(requests / 100) {
    for _ in 0..<100 {
        if block % 2 == 0 {
            bareTimes.append(milliseconds(try await get(bareURL)))
            runtimeTimes.append(milliseconds(try await get(runtimeURL)))
        } else {
            runtimeTimes.append(milliseconds(try await get(runtimeURL)))
            bareTimes.append(milliseconds(try await get(bareURL)))
        }
    }
}
bareTimes.sort()
runtimeTimes.sort()

func row(_ name: String, _ times: [Double]) -> String {
    name.padding(toLength: 34, withPad: " ", startingAt: 0)
        + String(format: "%8.3f %8.3f %8.3f", percentile(times, 0.5), percentile(times, 0.99), times.reduce(0, +) / Double(times.count))
}
print("GET /healthz, \(bareTimes.count) sequential requests each, interleaved (ms)")
print("".padding(toLength: 34, withPad: " ", startingAt: 0) + "     p50      p99     mean")
print(row("bare Hummingbird route", bareTimes))
print(row("local-runtime -> image-functions", runtimeTimes))
print(String(format: "ratio local-runtime / bare: p50 %.2fx, p99 %.2fx", percentile(runtimeTimes, 0.5) / percentile(bareTimes, 0.5), percentile(runtimeTimes, 0.99) / percentile(bareTimes, 0.99)))
print(String(format: "worker cold start: spawn to first request for work %.1f ms; first request end to end %.1f ms", milliseconds(coldStart), milliseconds(firstRequest)))

await runtime.shutdown()
_ = await runtimeTask.result
bareTask.cancel()
_ = await bareTask.result
