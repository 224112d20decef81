import AsyncHTTPClient
import Foundation
import FunctionRuntime
@testable import LocalRuntime
import Logging
import Messaging
import NIOCore
import NIOHTTP1
import NIOFoundationCompat
import Storage
import Testing

/// Starts a LocalRuntime over the fixture-functions binary (real worker processes) on a free port.
struct RuntimeHarness {
    let runtime: LocalRuntime
    let baseURL: String
    let outputDirectory: URL

    /// The fixture binary sits beside the test bundle in the build folder.
    static var fixtureBinary: URL {
        if let path = ProcessInfo.processInfo.environment["FIXTURE_FUNCTIONS_BINARY"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("fixture-functions")
    }

    static func amqpSettings() throws -> AMQPSettings {
        let url = try #require(ProcessInfo.processInfo.environment["AMQP_URL"], "AMQP_URL is not set: run the tests with infra/dev/test")
        return try AMQPSettings(url: url)
    }

    /// The test S3 server, for looking at or changing stored objects behind the service's back.
    static func objectStore(bucket: String? = nil, environment: [String: String] = [:]) throws -> S3Client {
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        return S3Client(settings: try S3Settings(
            endpoint: try #require(env["S3_ENDPOINT"]), region: env["S3_REGION"] ?? "us-east-1",
            bucket: bucket ?? env["S3_BUCKET"] ?? "images",
            accessKeyID: env["S3_ACCESS_KEY_ID"] ?? "", secretAccessKey: env["S3_SECRET_ACCESS_KEY"] ?? "", pathStyle: true
        ))
    }

    /// A bucket of the test's own on the test S3 server, named `prefix-<random>`, deleted afterwards whatever the
    /// body does: SeaweedFS gives every bucket volumes of its own, so buckets left behind by test runs used
    /// up the server's volumes ("no free volumes left").
    static func withBucket<T: Sendable>(_ prefix: String, _ body: (S3Client) async throws -> T) async throws -> T {
        let store = try objectStore(bucket: "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())")
        try await store.createBucket()
        do {
            let result = try await body(store)
            try? await store.deleteBucket()
            return result
        } catch {
            try? await store.deleteBucket()
            throw error
        }
    }

    /// The delivery limit every harness declares the fixture queue with (RabbitMQ refuses to redeclare a queue
    /// with other arguments).
    static let deliveryLimit = 3  // local-runtime's default, so dev and test runs declare queues alike

    /// The real function binary, beside the fixture one.
    static var imageFunctionsBinary: URL { fixtureBinary.deletingLastPathComponent().appendingPathComponent("image-functions") }

    static func with<T: Sendable>(
        binary: URL = fixtureBinary, startup: [String] = [], environment: [String: String] = [:],
        workers: Int = 2, maxWaiting: Int = 64, maxWait: Duration = .seconds(10), maxBodyBytes: Int? = nil,
        consumeQueues: Bool = false, bodyTimeout: Duration = .seconds(30), schedules: Duration? = nil,
        integrationTimeout: Duration? = nil, queueConcurrency: Int? = nil, amqpURL: String? = nil,
        inheritEnvironment: Bool = true, corsOrigins: [String] = [], headerTimeout: Duration = .seconds(10),
        _ body: @Sendable (RuntimeHarness) async throws -> T
    ) async throws -> T {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("fixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: output) }

        var configuration = LocalRuntimeConfiguration(binary: binary)
        configuration.port = 0
        configuration.workersPerFunction = workers
        configuration.maxWaiting = maxWaiting
        configuration.maxWait = maxWait
        // AWS's limits unless a test says otherwise (LocalRuntimeConfiguration's defaults).
        if let maxBodyBytes { configuration.maxBodyBytes = maxBodyBytes }
        if let integrationTimeout { configuration.integrationTimeout = integrationTimeout }
        configuration.queueConcurrency = queueConcurrency
        configuration.startupFunctions = startup
        configuration.bodyTimeout = bodyTimeout
        configuration.headerTimeout = headerTimeout
        configuration.cors = GatewayCORS(allowedOrigins: corsOrigins)
        // Tests invoke the sweeper themselves unless they ask for its timer.
        configuration.runSchedules = schedules != nil
        configuration.scheduleOverride = schedules
        configuration.deliveryLimit = deliveryLimit
        configuration.amqp = consumeQueues ? try amqpURL.map { try AMQPSettings(url: $0) } ?? amqpSettings() : nil
        // Transform and webhook queues of this run's own; the functions publish to them through
        // TRANSFORM_QUEUE and WEBHOOK_QUEUE.
        let run = UUID().uuidString.prefix(8).lowercased()
        let transformQueue = "image-transforms-\(run)"
        let webhookQueue = "webhook-deliveries-\(run)"
        let purgeQueue = "cache-purges-\(run)"
        configuration.queueNames = ["image-transforms": transformQueue, "webhook-deliveries": webhookQueue, "cache-purges": purgeQueue]
        configuration.workerEnvironment = (inheritEnvironment ? ProcessInfo.processInfo.environment : [:])
            .merging(["FIXTURE_OUTPUT_DIR": output.path, "TRANSFORM_QUEUE": transformQueue, "WEBHOOK_QUEUE": webhookQueue, "CACHE_PURGE_QUEUE": purgeQueue]) { $1 }
            .merging(environment) { $1 }

        var logger = Logger(label: "local-runtime-test")
        logger.logLevel = .warning
        let runtime = try LocalRuntime(configuration: configuration, logger: logger)
        let running = Task { try await runtime.run(handleSignals: false) }
        let port = try await firstListening(runtime, running)
        let harness = RuntimeHarness(runtime: runtime, baseURL: "http://127.0.0.1:\(port)", outputDirectory: output)
        do {
            let result = try await body(harness)
            await runtime.shutdown()
            try await running.value
            return result
        } catch {
            await runtime.shutdown()
            _ = await running.result
            throw error
        }
    }

    struct StartFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// The ingress port, or the error that stopped local-runtime before it listened (a failed startup
    /// function): without this a failed start would leave the test waiting for a port forever.
    static func firstListening(_ runtime: LocalRuntime, _ running: Task<Void, any Error>) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let once = FirstResult(continuation)
            Task { once.resume(with: .success(await runtime.port())) }
            Task {
                let outcome = await running.result
                once.resume(with: .failure(StartFailed(description: "local-runtime stopped before it listened: \(outcome)")))
            }
        }
    }

    struct Reply: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: Data
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] { try #require(JSONSerialization.jsonObject(with: body) as? [String: Any]) }
    }

    /// The tests' HTTP client: it does not follow redirects, so a test sees the 302 of a large image and
    /// decides itself whether to follow it. A process-lifetime singleton, never shut down.
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    func request(_ method: HTTPMethod = .GET, _ path: String, body: Data? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await Self.client.execute(request, timeout: .seconds(60))
        let data = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Data(buffer: data))
    }

    /// A presigned URL followed as a browser would: no Authorization header, nothing but the URL.
    static func fetch(_ url: String, method: HTTPMethod = .GET, body: Data? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(60))
        let data = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Data(buffer: data))
    }

    /// Lines the fixture recorded in a file of the output directory.
    func recorded(_ name: String) -> [String] {
        let text = (try? String(contentsOf: outputDirectory.appendingPathComponent(name), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Polls `condition` every 50 ms for up to `timeout`.
    func eventually(timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}


