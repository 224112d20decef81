import FunctionRuntime
import Foundation
import Hummingbird
import Logging
import Messaging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The development stand-in for API Gateway, Lambda and the Amazon MQ event source around the real function
/// binary: HTTP ingress to payload 2.0 events, an emulated Runtime API for worker processes it supervises,
/// and RabbitMQ consumers for queue functions.
public final class LocalRuntime: Sendable {
    public let configuration: LocalRuntimeConfiguration
    public let functions: [FunctionDescription]
    let supervisor: WorkerSupervisor
    let metrics = RuntimeMetrics()
    let logger: Logger
    private let ingressPort = Promise<Int>()
    private let groupBox = Promise<ServiceGroup>()

    public init(configuration: LocalRuntimeConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        let functions = try FunctionCatalog.load(binary: configuration.binary)
        self.functions = functions
        for function in functions where !function.routes.isEmpty && function.timeoutSeconds > LambdaLimits.maxRouteTimeoutSeconds {
            logger.warning(
                "a route's function has a timeout over the gateway's integration timeout; its clients get 504 first",
                metadata: ["function": "\(function.name)", "timeout.seconds": "\(function.timeoutSeconds)"]
            )
        }
        // Counters are there at 0 from the start, not from their first increment.
        for function in functions { _ = metrics.workerRestarts(function.name) }
        self.supervisor = WorkerSupervisor(
            binary: configuration.binary,
            // The functions declare the queues they publish into too: with the delivery limit local-runtime
            // declared, or RabbitMQ would refuse the second declaration.
            environment: configuration.workerEnvironment.merging(["QUEUE_DELIVERY_LIMIT": String(configuration.deliveryLimit)]) { $1 },
            limits: .init(
                maxWorkersPerFunction: configuration.workersPerFunction,
                maxWorkersByFunction: Dictionary(uniqueKeysWithValues: functions.filter { $0.queue != nil }.compactMap { function in
                    configuration.queueConcurrency.map { (function.name, $0) }
                }),
                maxWaiting: configuration.maxWaiting, maxWait: configuration.maxWait
            ),
            metrics: metrics,
            logger: logger
        )
    }

    /// Serves until SIGINT or SIGTERM (when `handleSignals`) or `shutdown()`: then stops ingress, lets
    /// in-flight invocations finish, stops consumers and finally the workers.
    public func run(handleSignals: Bool = true) async throws {
        let supervisor = self.supervisor
        let runtimeAPI = Application(
            router: RuntimeAPIRouter.build(supervisor: supervisor, maxResponseBytes: configuration.maxResponseBytes),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "local-runtime-api"),
            onServerRunning: { channel in
                await supervisor.setRuntimeAPI("127.0.0.1:\(channel.localAddress?.port ?? 0)")
            },
            logger: quietLogger()
        )
        let ingressPort = self.ingressPort
        let maxBodyBytes = configuration.maxBodyBytes
        let headerTimeout = TimeAmount.nanoseconds(Int64(configuration.headerTimeout.components.seconds) * 1_000_000_000)
        let idleTimeout = TimeAmount.nanoseconds(Int64(configuration.idleTimeout.components.seconds) * 1_000_000_000)
        let ingress = Application(
            router: IngressRouter.build(
                functions: functions, supervisor: supervisor, metrics: metrics,
                limits: .init(
                    maxBodyBytes: configuration.maxBodyBytes, maxEventBytes: configuration.maxEventBytes,
                    bodyTimeout: configuration.bodyTimeout, integrationTimeout: configuration.integrationTimeout
                ),
                cors: configuration.cors, logger: logger
            ),
            server: .http1(configuration: .init(
                additionalChannelHandlers: [
                    HeaderTimeoutHandler(headerTimeout: headerTimeout, idleTimeout: idleTimeout),
                    ExpectContinueHandler(maxBodyBytes: maxBodyBytes),
                ],
                idleTimeout: idleTimeout
            )),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "local-runtime"),
            onServerRunning: { channel in await ingressPort.fulfill(channel.localAddress?.port ?? 0) },
            logger: quietLogger()
        )
        let startupGate = Promise<Bool>()
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: runtimeAPI),
                    .init(service: SupervisorService(supervisor: supervisor)),
                    .init(service: ConsumerService(runtime: self, gate: startupGate)),
                    .init(service: ScheduleService(runtime: self, gate: startupGate)),
                    .init(service: StartupThenServe(runtime: self, ingress: ingress, gate: startupGate)),
                ],
                gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
                logger: logger
            )
        )
        await groupBox.fulfill(group)
        try await group.run()
    }

    /// Starts a graceful shutdown, as SIGTERM does.
    public func shutdown() async {
        await groupBox.value.triggerGracefulShutdown()
    }

    /// The ingress port, once it is listening.
    public func port() async -> Int { await ingressPort.value }

    /// Process ids of a function's running workers.
    public func workerProcessIDs(_ function: String) async -> [Int32] { await supervisor.processIDs(of: function) }

    /// The metrics page, as `GET /metrics` serves it.
    public func metricsText() -> String { metrics.render() }

    /// Two allocator arenas for this process, as its workers have (`HeapStatistics.limitArenas`).
    public static func limitAllocatorArenas(environment: [String: String]) {
        HeapStatistics.limitArenas(environment: environment)
    }

    /// Spawn-to-first-request times of the workers started so far.
    public func coldStarts() async -> [Duration] { await supervisor.coldStarts }

    /// Invokes a function by name with a raw event, as `aws lambda invoke` would.
    public func invoke(_ name: String, event: Data = Data("{}".utf8)) async throws -> Data {
        guard let function = functions.first(where: { $0.name == name }) else {
            throw FunctionCatalog.LoadError(description: "no function named \(name)")
        }
        switch await supervisor.invoke(function, event: event) {
        case .success(let output):
            return output
        case .functionError(let report), .initFailed(let report):
            throw FunctionCatalog.LoadError(description: "\(name) failed: \(report.errorType): \(report.errorMessage)")
        case let other:
            throw FunctionCatalog.LoadError(description: "\(name) did not complete: \(other.outcome)")
        }
    }

    /// Declares every queue function's queue (and its dead-letter queue) before ingress opens, as the cloud's
    /// broker configuration would have: producers publish to queues that exist.
    func declareQueues() async throws {
        guard let amqp = configuration.amqp else { return }
        let topologies = Set(functions.compactMap { $0.queue.map { topology(of: $0) } }.map(\.queue))
            .sorted().map { QueueTopology(queue: $0, deliveryLimit: configuration.deliveryLimit) }
        guard !topologies.isEmpty else { return }
        do {
            try await NIOThreadPool.singleton.runIfActive {
                let connection = try AMQPConnection(settings: amqp)
                for topology in topologies { try connection.declare(topology) }
                connection.close()
            }
        } catch let error as MessagingError where error.code == .rejected {
            throw FunctionCatalog.LoadError(
                description: "\(error.message): a queue of that name exists with other arguments (another --delivery-limit?); delete it or use the same limit"
            )
        }
    }

    func runStartupFunctions() async throws {
        for name in configuration.startupFunctions where functions.contains(where: { $0.name == name }) {
            let output = try await invoke(name)
            logger.info("startup function done", metadata: ["function": "\(name)", "output": "\(String(decoding: output, as: UTF8.self))"])
        }
    }

    func makeConsumers() -> [QueueConsumer] {
        guard let amqp = configuration.amqp else { return [] }
        return functions.compactMap { function in
            guard let trigger = function.queue else { return nil }
            let supervisor = self.supervisor
            let topology = topology(of: trigger)
            return QueueConsumer(
                function: function,
                topology: topology,
                consuming: trigger.deadLettersOf == nil ? topology.queue : topology.deadLetterQueue,
                settings: amqp,
                prefetch: configuration.queueConcurrency ?? configuration.workersPerFunction,
                metrics: metrics,
                logger: logger
            ) { event in await supervisor.invoke(function, event: event) }
        }
    }

    func queueName(_ declared: String) -> String { configuration.queueNames[declared] ?? declared }

    /// The queue (with its dead-letter queue) a trigger needs: its own, or for a dead-letter trigger the
    /// queue whose dead letters it takes.
    func topology(of trigger: QueueTrigger) -> QueueTopology {
        QueueTopology(queue: queueName(trigger.deadLettersOf ?? trigger.queue), deliveryLimit: configuration.deliveryLimit)
    }

    private func quietLogger() -> Logger {
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        return quiet
    }
}

/// Keeps the workers until shutdown reaches it, then stops them all.
private struct SupervisorService: Service {
    let supervisor: WorkerSupervisor
    func run() async throws {
        try? await gracefulShutdown()
        await supervisor.shutdown()
    }
}

/// Starts the queue consumers once startup functions have run; drains and stops them on shutdown.
private struct ConsumerService: Service {
    let runtime: LocalRuntime
    let gate: Promise<Bool>
    func run() async throws {
        // The gate always opens: true after the startup functions succeeded, false when they failed. When they
        // failed, wait for the shutdown their error causes: a service that returns ends the group itself, and
        // then the group could end with "a service finished" rather than with the startup error (it did, now
        // and then, under load: HTTPIngressTests.aFailedStartupFunctionStopsTheRuntime).
        guard await gate.value, !Task.isShuttingDownGracefully else {
            try? await gracefulShutdown()
            return
        }
        let consumers = runtime.makeConsumers()
        await withDiscardingTaskGroup { group in
            for consumer in consumers { group.addTask { await consumer.run() } }
            try? await gracefulShutdown()
            // Each drains: no new deliveries, and the group ends when every invocation in flight is settled.
            for consumer in consumers { consumer.stop() }
        }
    }
}

/// Runs the startup functions (migrations), then opens ingress.
private struct StartupThenServe: Service {
    let runtime: LocalRuntime
    let ingress: Application<RouterResponder<IngressContext>>
    let gate: Promise<Bool>
    func run() async throws {
        do {
            try await runtime.declareQueues()
            try await runtime.runStartupFunctions()
        } catch {
            await gate.fulfill(false)
            throw error
        }
        await gate.fulfill(true)
        try await ingress.run()
    }
}
