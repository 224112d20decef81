import FunctionRuntime
import Prometheus

/// The local runtime's metrics, served at `GET /metrics` in Prometheus's text format. Routes are labelled by
/// their template (`/images/{id}`), never the raw path. Beside its own, the service's metrics
/// (`ServiceMetrics`), read from the workers' standard output as CloudWatch would read them; each of their
/// series is there at 0 from the start.
struct RuntimeMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    init() {
        for definition in ServiceMetrics.catalog {
            for value in definition.dimension == nil ? [nil] : definition.values.map(Optional.some) {
                switch definition.kind {
                case .counter: _ = serviceCounter(definition, value)
                case .gauge: _ = serviceGauge(definition, value)
                case .histogram: _ = serviceHistogram(definition, value)
                }
            }
        }
    }

    /// One event of the service's metrics (an EMF line of a worker).
    func record(_ definition: ServiceMetrics.Definition, dimensionValue: String?, value: Double) {
        // A dimension value outside the catalog's is counted as it came: the catalog lists the known ones.
        switch definition.kind {
        case .counter: serviceCounter(definition, dimensionValue).increment(by: value)
        case .gauge: serviceGauge(definition, dimensionValue).set(value)
        case .histogram: serviceHistogram(definition, dimensionValue).record(value)
        }
    }

    private func labels(_ definition: ServiceMetrics.Definition, _ value: String?) -> [(String, String)] {
        definition.dimension.map { [($0, value ?? "unknown")] } ?? []
    }

    private func serviceCounter(_ definition: ServiceMetrics.Definition, _ value: String?) -> Counter {
        // Prometheus's counter names end in _total; the descriptor adds it back.
        registry.makeCounter(
            descriptor: .init(metricName: String(definition.name.dropLast("_total".count)), unitName: "total", helpText: definition.help),
            labels: labels(definition, value)
        )
    }

    private func serviceGauge(_ definition: ServiceMetrics.Definition, _ value: String?) -> Gauge {
        registry.makeGauge(descriptor: .init(metricName: definition.name, helpText: definition.help), labels: labels(definition, value))
    }

    private func serviceHistogram(_ definition: ServiceMetrics.Definition, _ value: String?) -> ValueHistogram {
        registry.makeValueHistogram(
            descriptor: .init(metricName: definition.name, helpText: definition.help), labels: labels(definition, value),
            buckets: definition.buckets
        )
    }

    private static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        .seconds(10), .seconds(30),
    ]

    func requests(route: String, method: String, status: Int) -> Counter {
        registry.makeCounter(
            descriptor: .init(metricName: "http_requests", unitName: "total", helpText: "HTTP requests by route template"),
            labels: [("route", route), ("method", method), ("status", String(status))]
        )
    }

    func requestDuration(route: String, method: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: .init(metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency"),
            labels: [("route", route), ("method", method)],
            buckets: Self.latencyBuckets
        )
    }

    func invocations(_ function: String, outcome: String) -> Counter {
        registry.makeCounter(
            descriptor: .init(metricName: "function_invocations", unitName: "total", helpText: "Invocations by outcome"),
            labels: [("function", function), ("outcome", outcome)]
        )
    }

    func invocationDuration(_ function: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: .init(metricName: "function_invocation_duration", unitName: "seconds", helpText: "Invocation time, waiting included"),
            labels: [("function", function)],
            buckets: Self.latencyBuckets
        )
    }

    func coldStart(_ function: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: .init(metricName: "worker_cold_start", unitName: "seconds", helpText: "Worker spawn to first request for work"),
            labels: [("function", function)],
            buckets: Self.latencyBuckets
        )
    }

    func workerRestarts(_ function: String) -> Counter {
        registry.makeCounter(
            descriptor: .init(metricName: "worker_restarts", unitName: "total", helpText: "Worker processes that exited or were killed"),
            labels: [("function", function)]
        )
    }

    func workers(_ function: String) -> Gauge {
        registry.makeGauge(
            descriptor: .init(metricName: "workers", unitName: "count", helpText: "Running worker processes"),
            labels: [("function", function)]
        )
    }

    func queueDepth(_ function: String) -> Gauge {
        registry.makeGauge(
            descriptor: .init(metricName: "invocation_queue_depth", unitName: "count", helpText: "Invocations waiting for a worker"),
            labels: [("function", function)]
        )
    }

    func queueDeliveries(_ queue: String, outcome: String) -> Counter {
        registry.makeCounter(
            descriptor: .init(metricName: "queue_deliveries", unitName: "total", helpText: "RabbitMQ deliveries by settlement (ack, requeue)"),
            labels: [("queue", queue), ("outcome", outcome)]
        )
    }

    func rateLimited(_ function: String) -> Counter {
        registry.makeCounter(
            descriptor: .init(metricName: "rate_limit_refusals", unitName: "total", helpText: "Requests a function refused with 429"),
            labels: [("function", function)]
        )
    }

    func redeliveries(_ queue: String) -> Counter {
        registry.makeCounter(
            descriptor: .init(metricName: "queue_redeliveries", unitName: "total", helpText: "Deliveries the broker marked as redelivered"),
            labels: [("queue", queue)]
        )
    }

    func scheduledRuns(_ function: String, outcome: String) -> Counter {
        registry.makeCounter(
            descriptor: .init(metricName: "scheduled_invocations", unitName: "total", helpText: "Scheduled invocations by outcome"),
            labels: [("function", function), ("outcome", outcome)]
        )
    }

    /// The metrics as text, with the process's own memory read now.
    func render() -> String {
        let heap = HeapStatistics.current()
        registry.makeGauge(descriptor: .init(metricName: "local_runtime_heap_in_use_bytes", helpText: "Allocated by local-runtime and not freed (glibc's mallinfo2)"))
            .set(Double(heap.inUseBytes))
        registry.makeGauge(descriptor: .init(metricName: "local_runtime_heap_held_bytes", helpText: "Held by local-runtime's allocator from the system, in use or not"))
            .set(Double(heap.heldBytes))
        return registry.emitToString()
    }
}
