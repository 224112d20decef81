import ArgumentParser
import Foundation
import FunctionRuntime
import LocalRuntime
import Logging
import Messaging

/// `swift run local-runtime`: serves the function binary's HTTP routes on 127.0.0.1:8080 and feeds its queue
/// functions from RabbitMQ, with the binary running in supervised worker processes.
@main
struct LocalRuntimeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local-runtime",
        abstract: "Runs the function binary locally as API Gateway, Lambda and Amazon MQ would."
    )

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (env LOCAL_RUNTIME_PORT).")
    var port: Int?

    @Option(help: "Worker processes per function (env LOCAL_RUNTIME_WORKERS).")
    var workers: Int?

    @Option(help: "The function binary (default: image-functions beside this executable).")
    var binary: String?

    @Option(help: "Settings file of shell exports, read when present; the environment wins.")
    var envFile: String = ".dev/env"

    @Option(help: "Deliveries of a queue message before it is dead-lettered (env LOCAL_RUNTIME_DELIVERY_LIMIT).")
    var deliveryLimit: Int?

    @Option(help: "Largest request body in bytes; API Gateway's 10485760 by default (env LOCAL_RUNTIME_MAX_BODY_BYTES).")
    var maxBodyBytes: Int?

    @Option(help: "Largest invocation event and function response in bytes; Lambda's 6291456 by default (env LOCAL_RUNTIME_MAX_PAYLOAD_BYTES).")
    var maxPayloadBytes: Int?

    @Option(help: "Seconds an HTTP client waits for a function before 504; API Gateway's 30 by default (env LOCAL_RUNTIME_INTEGRATION_TIMEOUT_SECONDS).")
    var integrationTimeout: Int?

    @Option(help: "Concurrent invocations of each queue function; 1 is Lambda's (one per Amazon MQ event source); default --workers (env LOCAL_RUNTIME_QUEUE_CONCURRENCY).")
    var queueConcurrency: Int?

    @Option(help: "Seconds a request body may take to arrive before 408 (env LOCAL_RUNTIME_BODY_TIMEOUT_SECONDS).")
    var bodyTimeout: Int?

    @Option(help: "Run scheduled functions every N seconds instead of their declared rate; 0 turns schedules off (env LOCAL_RUNTIME_SCHEDULE_SECONDS).")
    var scheduleSeconds: Int?

    @Option(help: "Function invoked once before serving, comma-separated; empty for none.")
    var startup: String = "migrate"

    /// The entry point: the allocator's arena limit first, while the main thread is still the only one that
    /// has allocated (glibc fixes the limit when a second thread first allocates), then ArgumentParser's.
    static func main() async {
        LocalRuntime.limitAllocatorArenas(environment: ProcessInfo.processInfo.environment)
        await main(nil)
    }

    func run() async throws {
        var environment = EnvFile.load(path: envFile)
        environment.merge(ProcessInfo.processInfo.environment) { _, process in process }

        let level = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "local-runtime")

        let binaryURL = binary.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("image-functions")
        var configuration = LocalRuntimeConfiguration(binary: binaryURL)
        configuration.host = host
        configuration.port = port ?? environment["LOCAL_RUNTIME_PORT"].flatMap(Int.init) ?? 8080
        configuration.workersPerFunction = workers ?? environment["LOCAL_RUNTIME_WORKERS"].flatMap(Int.init) ?? 2
        configuration.deliveryLimit = deliveryLimit ?? environment["LOCAL_RUNTIME_DELIVERY_LIMIT"].flatMap(Int.init) ?? 3
        configuration.maxBodyBytes = maxBodyBytes ?? environment["LOCAL_RUNTIME_MAX_BODY_BYTES"].flatMap(Int.init) ?? LambdaLimits.maxRequestBodyBytes
        let payload = maxPayloadBytes ?? environment["LOCAL_RUNTIME_MAX_PAYLOAD_BYTES"].flatMap(Int.init) ?? LambdaLimits.maxPayloadBytes
        configuration.maxEventBytes = payload
        configuration.maxResponseBytes = payload
        configuration.integrationTimeout = .seconds(
            integrationTimeout ?? environment["LOCAL_RUNTIME_INTEGRATION_TIMEOUT_SECONDS"].flatMap(Int.init) ?? LambdaLimits.integrationTimeoutSeconds
        )
        configuration.queueConcurrency = queueConcurrency ?? environment["LOCAL_RUNTIME_QUEUE_CONCURRENCY"].flatMap(Int.init)
        configuration.cors = GatewayCORS(setting: environment["CORS_ALLOWED_ORIGINS"])
        configuration.headerTimeout = .seconds(environment["LOCAL_RUNTIME_HEADER_TIMEOUT_SECONDS"].flatMap(Int.init) ?? 10)
        configuration.bodyTimeout = .seconds(bodyTimeout ?? environment["LOCAL_RUNTIME_BODY_TIMEOUT_SECONDS"].flatMap(Int.init) ?? 30)
        if let every = scheduleSeconds ?? environment["LOCAL_RUNTIME_SCHEDULE_SECONDS"].flatMap(Int.init) {
            configuration.runSchedules = every > 0
            configuration.scheduleOverride = .seconds(every)
        }
        configuration.startupFunctions = startup.split(separator: ",").map(String.init)
        configuration.workerEnvironment = environment
        if let url = environment["AMQP_URL"], !url.isEmpty {
            configuration.amqp = try AMQPSettings(url: url)
        } else {
            logger.warning("AMQP_URL is not set: queue-triggered functions will not be fed")
        }
        guard configuration.workersPerFunction >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard (configuration.queueConcurrency ?? 1) >= 1 else { throw ValidationError("--queue-concurrency must be at least 1") }
        guard payload >= 1024, configuration.maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes and --max-payload-bytes must be at least 1024") }

        let runtime = try LocalRuntime(configuration: configuration, logger: logger)
        logger.info(
            "serving",
            metadata: [
                "address": "http://\(configuration.host):\(configuration.port)",
                "functions": "\(runtime.functions.map(\.name).joined(separator: ","))",
            ]
        )
        try await runtime.run()
    }
}
