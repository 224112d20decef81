import Foundation

/// How webhooks are delivered: the queue, the delays between attempts, the time an attempt may take, and
/// where a webhook may point (`WebhookTarget.Policy`, from `APP_ENV`).
public struct WebhookSettings: Sendable, Equatable {
    /// `WEBHOOK_QUEUE`: the queue deliveries are consumed from; its delay queues are named after it.
    public var queue: String
    /// `WEBHOOK_RETRY_SECONDS`: the wait before each retry, in order; a delivery gets one attempt more than
    /// there are delays, then is dead-lettered. The default retries for about seven hours.
    public var retryDelays: [Int]
    /// `WEBHOOK_TIMEOUT_SECONDS`: one attempt, connection to last byte.
    public var timeoutSeconds: Int
    var targets: WebhookTarget.Policy
    /// Webhooks one user may have.
    public static let maxPerUser = 10
    public static let defaultRetryDelays = [30, 120, 600, 3600, 21600]

    init(value: (String) -> String?, mode: Configuration.Mode) throws {
        queue = value("WEBHOOK_QUEUE") ?? "webhook-deliveries"
        if let text = value("WEBHOOK_RETRY_SECONDS") {
            if text == "none" {
                retryDelays = []
            } else {
                let delays = text.split(separator: ",", omittingEmptySubsequences: false)
                    .map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard delays.count <= 20, delays.allSatisfy({ $0.map { (1...86_400).contains($0) } ?? false }) else {
                    throw ConfigurationError("WEBHOOK_RETRY_SECONDS must be up to 20 comma-separated delays of 1 to 86400 seconds, or 'none'")
                }
                retryDelays = delays.compactMap { $0 }
            }
        } else {
            retryDelays = Self.defaultRetryDelays
        }
        if let text = value("WEBHOOK_TIMEOUT_SECONDS") {
            guard let n = Int(text), (1...25).contains(n) else { throw ConfigurationError("WEBHOOK_TIMEOUT_SECONDS must be 1 to 25") }
            timeoutSeconds = n
        } else {
            timeoutSeconds = 10
        }
        targets = mode == .production ? .production : .development
    }
}
