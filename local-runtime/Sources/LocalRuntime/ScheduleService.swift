import FunctionRuntime
import Foundation
import Logging
import ServiceLifecycle

/// Invokes scheduled functions on their timers, as EventBridge does in AWS, with a "Scheduled Event". A run
/// that is still going when the next is due is not overlapped: the next waits for it. Starts after the
/// startup functions, stops at shutdown.
struct ScheduleService: Service {
    let runtime: LocalRuntime
    let gate: Promise<Bool>

    func run() async throws {
        let scheduled = runtime.functions.compactMap { f in f.schedule.map { (f, $0) } }
        guard await gate.value, runtime.configuration.runSchedules, !scheduled.isEmpty else {
            // A service that returns ends the whole group: with nothing to run, wait for the shutdown.
            try? await gracefulShutdown()
            return
        }
        // Shutdown cancels the timers (a sleeping timer must not hold it up).
        try? await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for (function, schedule) in scheduled {
                    let period = runtime.configuration.scheduleOverride ?? .seconds(schedule.rateMinutes * 60)
                    group.addTask { await runEvery(period, function) }
                }
            }
        }
    }

    private func runEvery(_ period: Duration, _ function: FunctionDescription) async {
        let runtime = self.runtime
        while !Task.isCancelled {
            do { try await Task.sleep(for: period) } catch { return }
            do {
                _ = try await runtime.invoke(function.name, event: Self.event(for: function))
                runtime.metrics.scheduledRuns(function.name, outcome: "success").increment()
            } catch {
                runtime.metrics.scheduledRuns(function.name, outcome: "failure").increment()
                runtime.logger.warning("scheduled run failed", metadata: ["function": "\(function.name)", "error.message": "\(error)"])
            }
        }
    }

    /// An EventBridge scheduled event, as Lambda receives it.
    static func event(for function: FunctionDescription) -> Data {
        let event: [String: Any] = [
            "version": "0", "id": UUID().uuidString.lowercased(), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "000000000000", "time": Date().ISO8601Format(), "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:000000000000:rule/\(function.name)"], "detail": [String: Any](),
        ]
        return (try? JSONSerialization.data(withJSONObject: event)) ?? Data("{}".utf8)
    }
}
