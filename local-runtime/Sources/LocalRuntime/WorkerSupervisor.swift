import FunctionRuntime
import Foundation
import Logging

/// Runs invocations on worker processes, as Lambda's control plane does: one invocation in flight per
/// process, up to `maxWorkers` processes per function started on demand and kept warm, a bounded wait when
/// all are busy, and a process that crashes or passes its deadline is killed and replaced.
actor WorkerSupervisor {
    struct Limits: Sendable {
        var maxWorkersPerFunction: Int
        /// Functions that run with another cap than `maxWorkersPerFunction` (queue functions at Lambda's
        /// concurrency of one per event source).
        var maxWorkersByFunction: [String: Int] = [:]
        func maxWorkers(_ function: String) -> Int { maxWorkersByFunction[function] ?? maxWorkersPerFunction }
        /// Invocations that may wait for a worker, per function, before new ones get `overloaded`.
        var maxWaiting: Int
        /// How long an invocation may wait for a free worker.
        var maxWait: Duration
    }

    /// An invocation handed to a worker through `GET next`.
    struct Assignment: Sendable {
        var requestID: String
        var deadlineMs: Int64
        var event: Data
    }

    private struct Pending {
        var assignment: Assignment
        var function: FunctionDescription
        var continuation: CheckedContinuation<InvocationResult, Never>
    }

    private enum WorkerState {
        /// Spawned; has not asked for work yet.
        case starting
        /// Waiting in `GET next`.
        case idle(CheckedContinuation<Assignment, any Error>)
        case busy(Pending)
        /// Streaming its answer, which the client already has the head of.
        case streaming(requestID: String, function: String, stream: ResponseStream)
        /// Asked to stop; gets no more work.
        case stopping
    }

    private struct Worker {
        var process: WorkerProcess
        var state: WorkerState
        var spawnedAt: ContinuousClock.Instant
        var servedAny = false
    }

    struct WorkerGone: Error {}

    private let binary: URL
    private let environment: [String: String]
    private let limits: Limits
    private let metrics: RuntimeMetrics
    private let logger: Logger
    private var runtimeAPI: String?
    private var runtimeAPIWaiters: [CheckedContinuation<String, Never>] = []

    private var workers: [Int: Worker] = [:]
    private var waiting: [String: [Pending]] = [:]
    private var nextWorkerID = 1
    private var shuttingDown = false
    /// Spawn-to-first-`next` times, for the cold-start figure.
    private(set) var coldStarts: [Duration] = []

    /// Process ids of a function's running workers (the fault suite kills them).
    func processIDs(of function: String) -> [Int32] {
        workers.values.filter { $0.process.function == function }.map(\.process.pid)
    }

    init(binary: URL, environment: [String: String], limits: Limits, metrics: RuntimeMetrics, logger: Logger) {
        self.binary = binary
        self.environment = environment
        self.limits = limits
        self.metrics = metrics
        self.logger = logger
    }

    /// The Runtime API's `host:port`; workers are started only once it is known.
    func setRuntimeAPI(_ address: String) {
        runtimeAPI = address
        runtimeAPIWaiters.forEach { $0.resume(returning: address) }
        runtimeAPIWaiters = []
    }

    private func awaitRuntimeAPI() async -> String {
        if let runtimeAPI { return runtimeAPI }
        return await withCheckedContinuation { runtimeAPIWaiters.append($0) }
    }

    // MARK: Invoking

    /// Runs one invocation of `function` with `event` and returns how it ended. Never throws.
    func invoke(_ function: FunctionDescription, event: Data, requestID: String = UUID().uuidString.lowercased()) async
        -> InvocationResult
    {
        guard !shuttingDown else { return .overloaded }
        // The deadline is set when a worker takes the invocation: as in Lambda, the timeout covers the run, not
        // the wait for a worker (which `maxWait` bounds) nor the worker's start.
        let assignment = Assignment(requestID: requestID, deadlineMs: 0, event: event)
        let start = ContinuousClock.now
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<InvocationResult, Never>) in
            let pending = Pending(assignment: assignment, function: function, continuation: continuation)
            if let id = idleWorker(for: function.name) {
                assign(pending, to: id)
            } else if waiting[function.name, default: []].count >= limits.maxWaiting {
                continuation.resume(returning: .overloaded)
            } else {
                waiting[function.name, default: []].append(pending)
                metrics.queueDepth(function.name).set(Double(waiting[function.name]!.count))
                spawnIfNeeded(function)
                let wait = limits.maxWait
                Task { [weak self] in
                    try? await Task.sleep(for: wait)
                    await self?.expireWaiting(requestID: requestID, function: function.name)
                }
            }
        }
        metrics.invocations(function.name, outcome: result.outcome).increment()
        metrics.invocationDuration(function.name).record(ContinuousClock.now - start)
        return result
    }

    private func idleWorker(for function: String) -> Int? {
        workers.first { entry in
            guard entry.value.process.function == function, case .idle = entry.value.state else { return false }
            return true
        }?.key
    }

    private func assign(_ pending: Pending, to id: Int) {
        guard case .idle(let next) = workers[id]?.state else { return }
        var pending = pending
        let timeoutMs = Int64(pending.function.timeoutSeconds) * 1000
        pending.assignment.deadlineMs = Int64(Date().timeIntervalSince1970 * 1000) + timeoutMs
        workers[id]!.state = .busy(pending)
        workers[id]!.servedAny = true
        next.resume(returning: pending.assignment)
        let requestID = pending.assignment.requestID
        // Cancelled when the invocation ends (`stopDeadline`): left to sleep out the function's timeout, every
        // short invocation kept a timer for up to 15 minutes (thousands at a few hundred requests a second).
        deadlineTimers[id] = Task { [weak self] in
            guard (try? await Task.sleep(for: .milliseconds(timeoutMs))) != nil else { return }
            await self?.deadlinePassed(worker: id, requestID: requestID)
        }
    }

    /// The running deadline timer of each busy or streaming worker.
    private var deadlineTimers: [Int: Task<Void, Never>] = [:]

    private func stopDeadline(worker id: Int) {
        deadlineTimers.removeValue(forKey: id)?.cancel()
    }

    /// Starts a worker when the waiting invocations outnumber the workers already starting.
    private func spawnIfNeeded(_ function: FunctionDescription) {
        let mine = workers.values.filter { $0.process.function == function.name }
        let spawning = pendingSpawns.values.filter { $0 == function.name }.count
        let starting = mine.filter { if case .starting = $0.state { return true } else { return false } }.count + spawning
        let waitingCount = waiting[function.name]?.count ?? 0
        guard waitingCount > starting, mine.count + spawning < limits.maxWorkers(function.name), !shuttingDown else { return }
        let id = nextWorkerID
        nextWorkerID += 1
        // Reserve the slot now; the process is started once the Runtime API address is known.
        pendingSpawns[id] = function.name
        Task { await self.spawn(id: id, function: function) }
    }

    private var pendingSpawns: [Int: String] = [:]

    private func spawn(id: Int, function: FunctionDescription) async {
        let address = await awaitRuntimeAPI()
        pendingSpawns[id] = nil
        guard !shuttingDown else { return }
        do {
            let metrics = self.metrics
            let process = try WorkerProcess(
                id: id, function: function.name, binary: binary, runtimeAPI: address,
                timeoutSeconds: function.timeoutSeconds, memoryMB: function.memoryMB, environment: environment,
                onOutputLine: { line in
                    guard let event = ServiceMetrics.parse(line) else { return false }
                    metrics.record(event.definition, dimensionValue: event.dimensionValue, value: event.value)
                    return true
                }
            ) { [weak self] status in
                Task { await self?.workerExited(id: id, status: status) }
            }
            workers[id] = Worker(process: process, state: .starting, spawnedAt: .now)
            metrics.workers(function.name).set(Double(workers.values.filter { $0.process.function == function.name }.count))
            logger.debug("worker started", metadata: ["worker.id": "\(id)", "worker.pid": "\(process.pid)", "function": "\(function.name)"])
        } catch {
            logger.error("worker could not start", metadata: ["function": "\(function.name)", "error.message": "\(error)"])
            failWaiting(function.name, with: .initFailed(ErrorReport(errorType: "Runtime.StartFailed", errorMessage: "the function binary could not be started")))
        }
    }

    private func expireWaiting(requestID: String, function: String) {
        guard let index = waiting[function]?.firstIndex(where: { $0.assignment.requestID == requestID }) else { return }
        let pending = waiting[function]!.remove(at: index)
        metrics.queueDepth(function).set(Double(waiting[function]!.count))
        pending.continuation.resume(returning: .overloaded)
    }

    private func failWaiting(_ function: String, with result: InvocationResult) {
        let pendings = waiting[function] ?? []
        waiting[function] = []
        metrics.queueDepth(function).set(0.0)
        pendings.forEach { $0.continuation.resume(returning: result) }
    }

    private func deadlinePassed(worker id: Int, requestID: String) {
        if case .streaming(let streaming, let function, let stream) = workers[id]?.state, streaming == requestID {
            // The stream is cut where it is: the client's answer ends short, and a hand-off nobody takes (a
            // client gone before its body was asked for) is released; the worker's connection closes with
            // its process.
            logger.warning(
                "streamed invocation passed its deadline; killing the worker",
                metadata: ["worker.id": "\(id)", "function": "\(function)", "request.id": "\(requestID)"]
            )
            stream.chunks.fail(ResponseStream.Interrupted(reason: "the function passed its deadline"))
            workers[id]!.state = .stopping
            workers[id]!.process.kill()
            return
        }
        guard case .busy(let pending) = workers[id]?.state, pending.assignment.requestID == requestID else { return }
        logger.warning(
            "invocation passed its deadline; killing the worker",
            metadata: ["worker.id": "\(id)", "function": "\(pending.function.name)", "request.id": "\(requestID)"]
        )
        workers[id]!.state = .stopping
        workers[id]!.process.kill()
        pending.continuation.resume(returning: .timedOut)
    }

    // MARK: The Runtime API, as seen by a worker

    /// `GET next`: waits until the worker is given an invocation.
    func next(worker id: Int) async throws -> Assignment {
        guard var worker = workers[id] else { throw WorkerGone() }
        if case .starting = worker.state, !worker.servedAny {
            coldStarts.append(ContinuousClock.now - worker.spawnedAt)
            metrics.coldStart(worker.process.function).record(ContinuousClock.now - worker.spawnedAt)
        }
        if case .stopping = worker.state { throw WorkerGone() }
        return try await withCheckedThrowingContinuation { continuation in
            worker.state = .idle(continuation)
            workers[id] = worker
            let function = worker.process.function
            if var queue = waiting[function], !queue.isEmpty {
                let pending = queue.removeFirst()
                waiting[function] = queue
                metrics.queueDepth(function).set(Double(queue.count))
                assign(pending, to: id)
            }
        }
    }

    /// `POST response`. Returns false when the request id is not the worker's current one.
    func respond(worker id: Int, requestID: String, body: Data) -> Bool {
        finish(worker: id, requestID: requestID, with: .success(body))
    }

    /// `POST response` with a body over the response limit: the invocation fails, as Lambda fails it with
    /// `Function.ResponseSizeTooLarge`; the worker is told 413 and may take the next invocation.
    func responseTooLarge(worker id: Int, requestID: String, bytes: Int?) -> Bool {
        if case .busy(let pending) = workers[id]?.state, pending.assignment.requestID == requestID {
            logger.error(
                "function response over the payload limit",
                metadata: ["function": "\(pending.function.name)", "request.id": "\(requestID)", "response.bytes": "\(bytes.map(String.init) ?? "unknown")"]
            )
        }
        return finish(worker: id, requestID: requestID, with: .responseTooLarge)
    }

    /// `POST response` in streaming mode, at its prelude: the client gets its answer now, and the worker stays
    /// busy (its deadline running) until the body has gone through `endStream`.
    func beginStream(worker id: Int, requestID: String, _ stream: ResponseStream) -> Bool {
        guard case .busy(let pending) = workers[id]?.state, pending.assignment.requestID == requestID else { return false }
        workers[id]!.state = .streaming(requestID: requestID, function: pending.function.name, stream: stream)
        pending.continuation.resume(returning: .streamed(stream))
        return true
    }

    /// The streamed body has ended (whole or not): the worker may take the next invocation.
    func endStream(worker id: Int, requestID: String) {
        guard case .streaming(let streaming, _, _) = workers[id]?.state, streaming == requestID else { return }
        stopDeadline(worker: id)
        workers[id]!.state = .starting
        workers[id]!.spawnedAt = .now
    }

    /// `POST error`.
    func fail(worker id: Int, requestID: String, report: ErrorReport) -> Bool {
        finish(worker: id, requestID: requestID, with: .functionError(report))
    }

    private func finish(worker id: Int, requestID: String, with result: InvocationResult) -> Bool {
        guard case .busy(let pending) = workers[id]?.state, pending.assignment.requestID == requestID else { return false }
        stopDeadline(worker: id)
        workers[id]!.state = .starting  // until it asks for the next invocation; not counted as a cold start
        workers[id]!.spawnedAt = .now
        workers[id]!.servedAny = true
        pending.continuation.resume(returning: result)
        return true
    }

    /// `POST init/error`: the function cannot start; everything waiting for it fails the same way.
    func initFailed(worker id: Int, report: ErrorReport) {
        guard let worker = workers[id] else { return }
        logger.error(
            "function init failed",
            metadata: ["function": "\(worker.process.function)", "error.type": "\(report.errorType)", "error.message": "\(report.errorMessage)"]
        )
        workers[id]!.state = .stopping
        failWaiting(worker.process.function, with: .initFailed(report))
    }

    private func workerExited(id: Int, status: Int32) {
        guard let worker = workers.removeValue(forKey: id) else { return }
        stopDeadline(worker: id)
        let function = worker.process.function
        metrics.workers(function).set(Double(workers.values.filter { $0.process.function == function }.count))
        switch worker.state {
        case .busy(let pending):
            logger.error(
                "worker died during an invocation",
                metadata: ["worker.id": "\(id)", "function": "\(function)", "exit.status": "\(status)", "request.id": "\(pending.assignment.requestID)"]
            )
            pending.continuation.resume(returning: .crashed)
        case .idle(let next):
            next.resume(throwing: WorkerGone())
        case .starting where !worker.servedAny:
            failWaiting(function, with: .initFailed(ErrorReport(errorType: "Runtime.ExitError", errorMessage: "the worker exited with status \(status) before it was ready")))
        case .streaming(let requestID, _, let stream):
            logger.error(
                "worker died while streaming an answer",
                metadata: ["worker.id": "\(id)", "function": "\(function)", "exit.status": "\(status)", "request.id": "\(requestID)"]
            )
            stream.chunks.fail(ResponseStream.Interrupted(reason: "the worker died"))
        case .starting, .stopping:
            break
        }
        if !shuttingDown {
            metrics.workerRestarts(function).increment()
            // Work is still waiting: a replacement takes over.
            if let pending = waiting[function]?.first { spawnIfNeeded(pending.function) }
        }
    }

    // MARK: Shutdown

    /// Stops every worker: SIGTERM, then SIGKILL for any still running after `grace`.
    func shutdown(grace: Duration = .seconds(5)) async {
        shuttingDown = true
        for (function, _) in waiting { failWaiting(function, with: .overloaded) }
        let processes = workers.values.map(\.process)
        processes.forEach { $0.terminate() }
        let deadline = ContinuousClock.now + grace
        while processes.contains(where: \.isRunning), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        processes.forEach { $0.kill() }
    }
}
