import Foundation

/// One running `image-functions` process serving one function through its own Runtime API prefix.
final class WorkerProcess: @unchecked Sendable {
    let id: Int
    let function: String
    private let process: Process

    /// Starts the binary with `_HANDLER` and `AWS_LAMBDA_RUNTIME_API` set; `onExit` runs once, on any thread.
    init(
        id: Int, function: String, binary: URL, runtimeAPI: String, timeoutSeconds: Int, memoryMB: Int,
        environment: [String: String], onExit: @escaping @Sendable (Int32) -> Void
    ) throws {
        self.id = id
        self.function = function
        let process = Process()
        process.executableURL = binary
        process.arguments = []
        var env = environment
        env["_HANDLER"] = function
        env["AWS_LAMBDA_RUNTIME_API"] = "\(runtimeAPI)/workers/\(id)"
        env["AWS_LAMBDA_FUNCTION_NAME"] = function
        env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = String(memoryMB)
        env["AWS_LAMBDA_FUNCTION_TIMEOUT"] = String(timeoutSeconds)
        env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
        // glibc keeps one malloc arena per thread; two bound a worker's memory at no measured cost.
        env["MALLOC_ARENA_MAX"] = env["MALLOC_ARENA_MAX"] ?? "2"
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { onExit($0.terminationStatus) }
        self.process = process
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// SIGKILL: for a worker past its deadline.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// SIGTERM: the worker finishes its invocation, if any, and exits.
    func terminate() {
        if process.isRunning { process.terminate() }
    }

    var isRunning: Bool { process.isRunning }
}
