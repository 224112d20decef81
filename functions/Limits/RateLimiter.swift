import Foundation
import FunctionRuntime
import Storage

/// Enforces the rate-limit policies on behalf of the functions. The state lives in PostgreSQL (the functions
/// are stateless and run in many processes); a refusal is a 429 `rate_limited` with `Retry-After`, and every
/// answer of a limited action announces the policy in `RateLimit-Policy` and the state in `RateLimit`
/// (draft-ietf-httpapi-ratelimit-headers).
struct RateLimiter: Sendable {
    let store: RateLimitStore

    init(environment: FunctionEnvironment) throws {
        store = RateLimitStore(client: try environment.require(.database), logger: environment.logger)
    }

    /// Takes one request of `policy` for `subject` (a user id, or a username and address); throws the 429
    /// when none is left. Returns the headers to add to the answer.
    func admit(_ policy: RateLimitPolicy, subject: String, context: InvocationContext) async throws -> [String: String] {
        guard policy.enabled else { return [:] }
        let decision = try await store.acquire(key: "\(policy.name):\(subject)", interval: policy.interval, burst: policy.burst)
        var headers = Self.headers(policy, decision)
        guard decision.allowed else {
            let retry = max(1, Int(decision.retryAfterSeconds.rounded(.up)))
            headers["retry-after"] = String(retry)
            context.logger.notice("rate limited", metadata: ["rate_limit.policy": "\(policy.name)", "retry_after": "\(retry)"])
            ServiceMetrics.count("imagefunctions_rate_limit_refusals_total", policy.name)
            throw APIError(.rateLimited, "too many requests; try again in \(retry) s", headers: headers)
        }
        return headers
    }

    /// Where `policy` stands for `subject`, without taking a unit (for `GET /usage`).
    func state(_ policy: RateLimitPolicy, subject: String) async throws -> (remaining: Int, resetSeconds: Double) {
        try await store.peek(key: "\(policy.name):\(subject)", interval: policy.interval, burst: policy.burst)
    }

    /// Gives back the request `admit` took, when the service (not the client) made it fail: a client retrying
    /// through an outage should not find its allowance spent when the service is back. Best effort.
    func refund(_ policy: RateLimitPolicy, subject: String) async {
        guard policy.enabled else { return }
        try? await store.release(key: "\(policy.name):\(subject)", interval: policy.interval)
    }

    /// `RateLimit-Policy: "transforms";q=20;w=20`: a burst of q requests, refilled in w seconds (which is the
    /// steady rate too). `RateLimit: "transforms";r=19;t=1`: r left now, full again in t seconds.
    static func headers(_ policy: RateLimitPolicy, _ decision: RateLimitDecision) -> [String: String] {
        let window = Int((policy.interval * Double(policy.burst)).rounded(.up))
        let reset = max(0, Int(decision.resetSeconds.rounded(.up)))
        return [
            "ratelimit-policy": "\"\(policy.name)\";q=\(policy.burst);w=\(window)",
            "ratelimit": "\"\(policy.name)\";r=\(decision.remaining);t=\(reset)",
        ]
    }
}
