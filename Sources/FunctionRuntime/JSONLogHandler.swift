import Foundation
import Logging
import Synchronization

/// Writes each log entry as one JSON object on one line of standard error: `time`, `level`, `message`,
/// `logger`, then the metadata as fields. CloudWatch Logs Insights and `jq` read such lines field by field.
/// Metadata is the only place values go, and callers never put secrets or image bytes there.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private static let output = Mutex(())

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        var fields: [String: Any] = [:]
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let explicit { all.merge(explicit) { $1 } }
        for (key, value) in all { fields[key] = Self.json(value) }
        fields["time"] = Date().ISO8601Format(.iso8601.time(includingFractionalSeconds: true).year().month().day())
        fields["level"] = level.rawValue
        fields["message"] = message.description
        fields["logger"] = label
        guard var data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        data.append(0x0A)
        Self.output.withLock { _ in FileHandle.standardError.write(data) }
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let s): s
        // Numbers and booleans stay numbers and booleans, so `duration.ms > 100` works in a log query.
        case .stringConvertible(let c as Int): c
        case .stringConvertible(let c as Int64): c
        case .stringConvertible(let c as Double): c
        case .stringConvertible(let c as Bool): c
        case .stringConvertible(let c): c.description
        case .array(let a): a.map(json)
        case .dictionary(let d): d.mapValues(json)
        }
    }
}
