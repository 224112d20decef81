import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

import Foundation

/// The entry point of a function binary. It reads the handler name (`--handler NAME` or `_HANDLER`, as Lambda's
/// custom runtimes pass it), builds that function's handler and runs the Runtime API loop until SIGTERM.
/// `--describe` prints the table of functions as JSON and exits.
public enum FunctionMain {
    private static let loggingBootstrapped = Mutex(false)

    /// - Parameters:
    ///   - deadlineMargin: see `RuntimeLoop.deadlineMargin`.
    ///   - makeEnvironment: builds what handlers share (configuration, pools) and the services that must run
    ///     beside the loop (a connection pool's `run()`). Called once, after the handler name is known.
    public static func run<Environment: Sendable>(
        table: FunctionTable<Environment>,
        arguments: [String] = CommandLine.arguments,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        deadlineMargin: Duration? = nil,
        makeEnvironment: @Sendable (Logger) async throws -> (Environment, [any Service])
    ) async -> Int32 {
        if arguments.contains("--describe") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let json = (try? encoder.encode(table.descriptions)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
            print(json)
            return 0
        }
        let handlerName = argumentValue("--handler", in: arguments) ?? environment["_HANDLER"] ?? ""
        // One JSON object per line (LOG_FORMAT=text for the plain format while debugging). The logging
        // system can be set once per process; tests run the entry point many times in one.
        if environment["LOG_FORMAT"]?.lowercased() != "text", loggingBootstrapped.withLock({ done in defer { done = true }; return !done }) {
            LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        }
        var logger = Logger(label: "image-functions")
        logger.logLevel = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        logger[metadataKey: "handler.name"] = .string(handlerName)

        guard let address = environment["AWS_LAMBDA_RUNTIME_API"], !address.isEmpty else {
            logger.critical("AWS_LAMBDA_RUNTIME_API is not set: this binary runs under Lambda or local-runtime")
            return 1
        }
        let client = HTTPRuntimeAPIClient(address: address)

        guard let definition = table.definition(named: handlerName) else {
            let error = RuntimeError(
                .unknownHandler,
                "unknown handler '\(handlerName)'; known handlers: \(table.names.joined(separator: ", "))"
            )
            logger.critical("\(error.message)")
            try? await client.reportInitError(ErrorReport(error))
            return 1
        }

        let handler: any InvocationHandler
        let services: [any Service]
        do {
            let (shared, sharedServices) = try await makeEnvironment(logger)
            handler = try await definition.makeHandler(shared)
            services = sharedServices
        } catch {
            let report = ErrorReport(error)
            logger.critical("init failed", metadata: ["error.message": "\(report.errorMessage)"])
            try? await client.reportInitError(report)
            return 1
        }

        let loop = RuntimeLoop(
            client: client, handler: handler, functionName: handlerName, logger: logger, deadlineMargin: deadlineMargin,
            streamsResponses: definition.description.invokeMode == .responseStream, routes: definition.description.routes
        )
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }
                    + [.init(service: loop, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        do {
            try await group.run()
            return 0
        } catch {
            logger.critical("runtime stopped", metadata: ["error.message": "\(String(describing: error))"])
            return 1
        }
    }

    private static func argumentValue(_ name: String, in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument == name, index + 1 < arguments.count { return arguments[index + 1] }
            if argument.hasPrefix(name + "=") { return String(argument.dropFirst(name.count + 1)) }
        }
        return nil
    }
}
