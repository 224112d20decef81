import Foundation
import Synchronization

/// The service's own metrics (variants made and failed, imaging time, upload sizes, bytes stored, the transform
/// backlog, webhook deliveries, rate-limit refusals), written as CloudWatch's embedded metric format (EMF): one
/// JSON line on standard output per event, which Lambda sends to CloudWatch Logs and CloudWatch turns into
/// metrics; local-runtime reads its workers' standard output and serves them at `/metrics` (logs go to
/// standard error, so standard output carries only these). Every metric is declared in `catalog` with the
/// values its dimension can take, so a reader can show each series at 0 before its first event.
public enum ServiceMetrics {
    public enum Kind: String, Sendable { case counter, gauge, histogram }

    public struct Definition: Sendable {
        /// The Prometheus name (local-runtime) and the EMF metric name (CloudWatch).
        public let name: String
        public let kind: Kind
        public let help: String
        /// The EMF unit: `Count`, `Bytes` or `Seconds`.
        public let unit: String
        /// The one dimension (label) of the metric, if any, and the values it takes.
        public let dimension: String?
        public let values: [String]
        /// Histogram buckets (upper bounds).
        public let buckets: [Double]
    }

    public static let namespace = "ImageFunctions"

    public static let catalog: [Definition] = [
        Definition(
            name: "imagefunctions_variants_made_total", kind: .counter, help: "Variants made (queue, URL transformations, conversions)",
            unit: "Count", dimension: nil, values: [], buckets: []
        ),
        Definition(
            name: "imagefunctions_variants_failed_total", kind: .counter, help: "Variants that could not be made, by error code",
            unit: "Count", dimension: "code",
            values: ["corrupt_image", "image_too_large", "invalid_transformation", "original_missing", "transformation_abandoned", "transformation_failed", "unsupported_format"],
            buckets: []
        ),
        Definition(
            name: "imagefunctions_imaging_seconds", kind: .histogram, help: "libvips time by kind: a variant, an upload's checks or re-encode, the metadata read-out",
            unit: "Seconds", dimension: "kind", values: ["variant", "original", "properties"],
            buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
        ),
        Definition(
            name: "imagefunctions_upload_bytes", kind: .histogram, help: "Sizes of accepted uploads (the bytes sent)",
            unit: "Bytes", dimension: nil, values: [],
            buckets: [10_000, 100_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000]
        ),
        Definition(
            name: "imagefunctions_bytes_stored", kind: .gauge, help: "Bytes in the object store by kind (the sweeper counts them each run)",
            unit: "Bytes", dimension: "kind", values: ["originals", "variants"], buckets: []
        ),
        Definition(
            name: "imagefunctions_transform_queue_depth", kind: .gauge, help: "Transformations queued and not yet being made (each is one job; the sweeper counts them each run)",
            unit: "Count", dimension: nil, values: [], buckets: []
        ),
        Definition(
            name: "imagefunctions_transform_queue_oldest_seconds", kind: .gauge, help: "Age of the oldest queued transformation (0 when none; the sweeper measures it each run)",
            unit: "Seconds", dimension: nil, values: [], buckets: []
        ),
        Definition(
            name: "imagefunctions_webhook_deliveries_total", kind: .counter, help: "Webhook delivery attempts by outcome",
            unit: "Count", dimension: "outcome", values: ["delivered", "retried", "failed"], buckets: []
        ),
        Definition(
            name: "imagefunctions_rate_limit_refusals_total", kind: .counter, help: "Requests refused with 429, by rate-limited action",
            unit: "Count", dimension: "action", values: ["transforms", "uploads", "logins"], buckets: []
        ),
    ]

    public static func definition(_ name: String) -> Definition? { catalog.first { $0.name == name } }

    /// Adds to a counter.
    public static func count(_ name: String, _ dimensionValue: String? = nil, by amount: Double = 1) {
        emit(name, dimensionValue, amount)
    }

    /// Records a histogram observation or sets a gauge.
    public static func record(_ name: String, _ value: Double, _ dimensionValue: String? = nil) {
        emit(name, dimensionValue, value)
    }

    /// Whether lines are written; off in processes that are not functions (tests, tools) unless asked for.
    public static let enabled = ProcessInfo.processInfo.environment["_HANDLER"] != nil
        || ProcessInfo.processInfo.environment["SERVICE_METRICS"] == "1"

    private static let output = Mutex(())

    private static func emit(_ name: String, _ dimensionValue: String?, _ value: Double) {
        guard enabled, let definition = definition(name), value.isFinite else { return }
        guard let line = line(definition, dimensionValue, value, timestamp: Date()) else { return }
        output.withLock { _ in FileHandle.standardOutput.write(line) }
    }

    /// One EMF document as a line.
    static func line(_ definition: Definition, _ dimensionValue: String?, _ value: Double, timestamp: Date) -> Data? {
        var document: [String: Any] = [
            "_aws": [
                "Timestamp": Int64(timestamp.timeIntervalSince1970 * 1000),
                "CloudWatchMetrics": [[
                    "Namespace": namespace,
                    "Dimensions": [definition.dimension.map { [$0] } ?? []],
                    "Metrics": [["Name": definition.name, "Unit": definition.unit]],
                ]],
            ],
            definition.name: value,
        ]
        if let dimension = definition.dimension { document[dimension] = dimensionValue ?? "unknown" }
        guard var data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) else { return nil }
        data.append(0x0A)
        return data
    }

    /// An EMF line read back: the metric's definition, its dimension value and the value. nil for any other line.
    public static func parse(_ line: Substring) -> (definition: Definition, dimensionValue: String?, value: Double)? {
        guard line.hasPrefix("{"), line.contains("\"_aws\""),
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { return nil }
        for definition in catalog {
            guard let value = (object[definition.name] as? NSNumber)?.doubleValue else { continue }
            return (definition, definition.dimension.flatMap { object[$0] as? String }, value)
        }
        return nil
    }
}

extension Duration {
    /// The duration in seconds, as metrics record it.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
