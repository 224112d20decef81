#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

import Foundation

/// Runs other programs with posix_spawn and waits for them with waitpid on a thread of its own.
///
/// Not Foundation's `Process.waitUntilExit`: off the main thread it spins a run loop, and it was seen to hang
/// (the child a zombie nobody reaped) while holding a thread of Swift's concurrency pool, which on 2 cores
/// stalls everything else. Pipes are marked close-on-exec, so a child spawned meanwhile by someone else does
/// not inherit them and keep them open.
public enum ChildProcess {
    /// How a child ended, and what it wrote.
    public struct Outcome: Sendable {
        /// The exit code, or 128 + the signal that ended it.
        public var status: Int32
        public var output: Data
        public var text: String { String(decoding: output, as: UTF8.self) }
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    /// What happens to the child's standard output and error.
    public enum Output: Sendable {
        /// Standard output captured; standard error passed through.
        case capture
        /// Both captured, interleaved.
        case captureMerged
        /// Both sent to /dev/null.
        case discard
    }

    /// Runs `executable` (an absolute path) to the end; `input`, when given, is written to its standard input.
    public static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil, input: Data? = nil,
        output: Output = .capture
    ) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result(catching: {
                    try runBlocking(executable, arguments, environment: environment, input: input, output: output)
                }))
            }
        }
    }

    /// `run`, blocking the calling thread (for synchronous callers that are not on the concurrency pool).
    public static func runBlocking(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil, input: Data? = nil,
        output: Output = .capture
    ) throws -> Outcome {
        let child = try spawn(executable, arguments, environment: environment, stdin: input != nil, output: output)
        if let input, let fd = child.stdin {
            input.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n <= 0 { if errno == EINTR { continue } else { break } }
                    offset += n
                }
            }
            close(fd)
        }
        var data = Data()
        if let fd = child.stdout {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n > 0 { data.append(contentsOf: buffer[0..<n]); continue }
                if n < 0 && errno == EINTR { continue }
                break
            }
            close(fd)
        }
        return Outcome(status: wait(for: child.pid), output: data)
    }

    /// A child left running (a server a test needs), to be killed and reaped by its owner.
    public final class Running: Sendable {
        public let pid: pid_t
        init(pid: pid_t) { self.pid = pid }

        /// Sends `signal` (SIGKILL by default: a child may have inherited SIGTERM blocked) and reaps it.
        @discardableResult
        public func stop(signal: Int32 = SIGKILL) async -> Int32 {
            kill(pid, signal)
            let pid = self.pid
            return await withCheckedContinuation { continuation in
                Thread.detachNewThread { continuation.resume(returning: ChildProcess.wait(for: pid)) }
            }
        }
    }

    /// Starts `executable` with its output discarded, and returns at once.
    public static func start(_ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil) throws -> Running {
        Running(pid: try spawn(executable, arguments, environment: environment, stdin: false, output: .discard).pid)
    }

    // MARK: posix_spawn

    private static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String]?, stdin: Bool, output: Output
    ) throws -> (pid: pid_t, stdin: Int32?, stdout: Int32?) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        /// A pipe whose ends close on exec (the child gets its end through dup2, which clears the flag).
        func closeOnExecPipe() throws -> [Int32] {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))") }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return fds
        }
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1]
        if stdin {
            inPipe = try closeOnExecPipe()
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        switch output {
        case .capture, .captureMerged:
            outPipe = try closeOnExecPipe()
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            if case .captureMerged = output { posix_spawn_file_actions_adddup2(&actions, outPipe[1], 2) }
        case .discard:
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let environmentPairs = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp = environmentPairs.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        // The child's ends are the child's now.
        if inPipe[0] >= 0 { close(inPipe[0]) }
        if outPipe[1] >= 0 { close(outPipe[1]) }
        guard spawned == 0 else {
            if inPipe[1] >= 0 { close(inPipe[1]) }
            if outPipe[0] >= 0 { close(outPipe[0]) }
            throw SpawnError(description: "could not start \(executable): \(String(cString: strerror(spawned)))")
        }
        return (pid, inPipe[1] >= 0 ? inPipe[1] : nil, outPipe[0] >= 0 ? outPipe[0] : nil)
    }

    /// Reaps `pid`; its exit code, or 128 + the signal that ended it.
    static func wait(for pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return -1 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
