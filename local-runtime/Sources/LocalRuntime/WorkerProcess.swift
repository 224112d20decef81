import Foundation

/// One running `image-functions` process serving one function through its own Runtime API prefix.
final class WorkerProcess: @unchecked Sendable {
    let id: Int
    let function: String
    private let process: Process

    /// Starts the binary with `_HANDLER` and `AWS_LAMBDA_RUNTIME_API` set; `onExit` runs once, on any thread.
    /// Its standard output is read line by line, as Lambda's log capture reads it: `onOutputLine` gets each
    /// line and says whether it was taken (the service's metrics); other lines go to local-runtime's own
    /// standard output. Logs go to standard error, which the worker shares with local-runtime.
    init(
        id: Int, function: String, binary: URL, runtimeAPI: String, timeoutSeconds: Int, memoryMB: Int,
        environment: [String: String], onOutputLine: @escaping @Sendable (Substring) -> Bool = { _ in false },
        onExit: @escaping @Sendable (Int32) -> Void
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
        let output = Pipe()
        process.standardOutput = output
        process.terminationHandler = { onExit($0.terminationStatus) }
        self.process = process
        try process.run()
        // The worker's output is read by a thread of its own with blocking reads until end of file, and the
        // thread closes the pipe itself. Not with a `readabilityHandler`: its dispatch source is cancelled
        // asynchronously, so the pipe could be closed while libdispatch still watched its descriptor, and once
        // the number was reused (a socket, another pipe) libdispatch's event loop crashed (seen once in the
        // test suite: "Bad pointer dereference" in _dispatch_event_loop_drain).
        let reader = output.fileHandleForReading
        let lines = LineSplitter(onLine: onOutputLine)
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = read(reader.fileDescriptor, &buffer, buffer.count)
                if count > 0 {
                    lines.append(Data(buffer[0..<count]))
                } else if count < 0, errno == EINTR {
                    continue
                } else {
                    break  // end of file: the worker has exited
                }
            }
            try? reader.close()
        }
        thread.name = "worker-\(function)-output"
        thread.start()
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

/// Complete lines out of a stream of chunks; a line not taken by `onLine` is written to standard output.
private final class LineSplitter: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = Data()
    private let onLine: @Sendable (Substring) -> Bool

    init(onLine: @escaping @Sendable (Substring) -> Bool) { self.onLine = onLine }

    func append(_ data: Data) {
        let complete: [Substring] = lock.withLock {
            pending.append(data)
            guard let last = pending.lastIndex(of: 0x0A) else { return [] }
            let text = String(decoding: pending[pending.startIndex...last], as: UTF8.self)
            pending = Data(pending[pending.index(after: last)...])
            return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        }
        var passed = Data()
        for line in complete where !onLine(line) { passed.append(contentsOf: Array((line + "\n").utf8)) }
        if !passed.isEmpty { FileHandle.standardOutput.write(passed) }
    }
}
