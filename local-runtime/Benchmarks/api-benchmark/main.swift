import AsyncHTTPClient
import Foundation
import Imaging
import LocalRuntime
import Logging
import Messaging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

// api-benchmark: the service end to end through local-runtime (real workers, PostgreSQL, RabbitMQ, S3 from
// .dev/env), next to the in-process time of the same imaging work, measured in the same run.
//
//   infra/dev/services up && swift build -c release --product image-functions && swift run -c release api-benchmark

func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

var environment = EnvFile.load(path: ProcessInfo.processInfo.environment["IF_ENV_FILE"] ?? ".dev/env")
environment.merge(ProcessInfo.processInfo.environment) { _, process in process }
environment["LOG_LEVEL"] = "error"
// The benchmark measures the service, not its allowance: hundreds of requests from one user.
environment["RATE_LIMIT_TRANSFORMS"] = "off"
environment["RATE_LIMIT_UPLOADS"] = "off"
let queue = "image-transforms-bench-\(UUID().uuidString.prefix(6).lowercased())"
environment["TRANSFORM_QUEUE"] = queue

var logger = Logger(label: "api-benchmark")
logger.logLevel = .error
let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    .appendingPathComponent("image-functions")
var configuration = LocalRuntimeConfiguration(binary: binary)
configuration.port = 0
configuration.workersPerFunction = 2
configuration.workerEnvironment = environment
configuration.queueNames = ["image-transforms": queue]
configuration.amqp = try environment["AMQP_URL"].map { try AMQPSettings(url: $0) }
let runtime = try LocalRuntime(configuration: configuration, logger: logger)
let running = Task { try await runtime.run(handleSignals: false) }
let base = "http://127.0.0.1:\(await runtime.port())"

/// Plain HTTP calls, usable from any task.
enum Client {
    static func call(_ base: String, _ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = []) async throws -> (Int, [String: Any]) {
        try await callImpl(base, method, path, body: body, headers: headers)
    }
}

func call(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = []) async throws -> (Int, [String: Any]) {
    try await callImpl(base, method, path, body: body, headers: headers)
}

nonisolated func callImpl(_ base: String, _ method: HTTPMethod, _ path: String, body: Data?, headers: [(String, String)]) async throws -> (Int, [String: Any]) {
    var request = HTTPClientRequest(url: base + path)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(data: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
    let data = Data(buffer: try await response.body.collect(upTo: 64 << 20))
    return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
}

let (_, session) = try await call(.POST, "/register", body: try JSONSerialization.data(withJSONObject: ["username": "bench-\(UUID().uuidString.prefix(8))", "password": "benchmark password"]), headers: [("Content-Type", "application/json")])
let auth = [("Authorization", "Bearer \(session["token"] as? String ?? "")")]
let testdata = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/testdata")

for photo in ["Dune.jpg", "Kleiber_by_Lukas_Baubkus.jpg"] {
    let bytes = try Data(contentsOf: testdata.appendingPathComponent(photo))
    // In-process: the same 800 px resize, straight through the imaging pipeline.
    let spec = try JSONDecoder().decode(TransformationSpec.self, from: Data(#"{"resize":{"width":800},"quality":80}"#.utf8))
    var inProcess: [Double] = []
    for _ in 0..<7 {
        let start = ContinuousClock.now
        _ = try ImageProcessor.process(try ImageSource(bytes: [UInt8](bytes)), spec: spec)
        inProcess.append(ms(ContinuousClock.now - start))
    }

    var uploads: [Double] = []
    var id = ""
    for _ in 0..<7 {
        let start = ContinuousClock.now
        let (status, image) = try await call(.POST, "/images?filename=\(photo)", body: bytes, headers: auth + [("Content-Type", "image/jpeg")])
        uploads.append(ms(ContinuousClock.now - start))
        guard status == 201 else { fatalError("upload answered \(status)") }
        id = image["id"] as? String ?? ""
    }

    // Each request a new spec (quality varies), so no answer comes from an existing variant.
    var quality = 30
    func transform(wait: Int) async throws -> (Double, String) {
        quality += 1
        let body = Data(#"{"transformations":{"resize":{"width":800},"quality":\#(quality)}}"#.utf8)
        let start = ContinuousClock.now
        let (status, image) = try await call(.POST, "/images/\(id)/transform", body: body, headers: auth + [("Content-Type", "application/json"), ("Prefer", "wait=\(wait)")])
        guard status == 201 || status == 202 else { fatalError("transform answered \(status)") }
        return (ms(ContinuousClock.now - start), image["id"] as? String ?? "")
    }
    var sequential: [Double] = []
    for _ in 0..<15 { sequential.append(try await transform(wait: 30).0) }

    var concurrent: [Double] = []
    let (b, a, imageID) = (base, auth, id)
    let startConcurrent = ContinuousClock.now
    for _ in 0..<4 {
        let batch = try await withThrowingTaskGroup(of: Double.self) { group in
            for _ in 0..<8 {
                quality += 1
                let q = quality
                group.addTask {
                    let body = Data(#"{"transformations":{"resize":{"width":800},"quality":\#(q)}}"#.utf8)
                    let start = ContinuousClock.now
                    let (status, _) = try await Client.call(b, .POST, "/images/\(imageID)/transform", body: body, headers: a + [("Content-Type", "application/json"), ("Prefer", "wait=30")])
                    guard status == 201 else { fatalError("transform answered \(status)") }
                    return ms(ContinuousClock.now - start)
                }
            }
            var times: [Double] = []
            for try await t in group { times.append(t) }
            return times
        }
        concurrent += batch
    }
    let elapsed = ms(ContinuousClock.now - startConcurrent) / 1000
    say("\(photo)")
    say(String(format: "  upload: median %.1f ms (%d bytes)", percentile(uploads, 0.5), bytes.count))
    say(String(format: "  transform 800 px, request to ready, one at a time: p50 %.1f ms, p99 %.1f ms", percentile(sequential, 0.5), percentile(sequential, 0.99)))
    say(String(format: "  transform 800 px, request to ready, 8 concurrent: p50 %.1f ms, p99 %.1f ms", percentile(concurrent, 0.5), percentile(concurrent, 0.99)))
    say(String(format: "  throughput with 2 workers: %.1f transforms/s (%d in %.1f s)", Double(concurrent.count) / elapsed, concurrent.count, elapsed))
    say(String(format: "  in-process imaging for the same work: median %.1f ms; one-at-a-time p50 / in-process = %.2fx", percentile(inProcess, 0.5), percentile(sequential, 0.5) / percentile(inProcess, 0.5)))
}
await runtime.shutdown()
_ = await running.result
