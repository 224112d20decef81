import Foundation
import FunctionRuntime
import Storage

/// `GET /usage`: what the caller holds and has made, their storage quota, and where each rate limit stands
/// (read without taking a unit). Any credential may ask, an API key of any scope too.
struct UsageFunction: APIFunction {
    let service: ImageService
    let accounts: AccountService
    let limiter: RateLimiter
    let limits: RateLimitSettings

    init(environment: FunctionEnvironment) async throws {
        service = try await ImageService(environment: environment)
        accounts = try await AccountService(environment: environment)
        limiter = try RateLimiter(environment: environment)
        limits = environment.configuration.rateLimits
    }

    struct Holding: Encodable {
        var count: Int
        var bytes: Int
    }

    struct Transforms: Encodable {
        var period_start: String
        var count: Int
    }

    /// A rate limit's policy and state: `burst` requests at once, refilled one per `interval_seconds`;
    /// `remaining` now, full again in `reset_seconds`. Null when the limit is off.
    struct Limit: Encodable {
        var burst: Int
        var interval_seconds: Double
        var remaining: Int
        var reset_seconds: Int
    }

    /// Each per-user limit, null when it is off (explicit nulls, as everywhere in the contract).
    struct RateLimits: Encodable {
        var transforms: Limit?
        var uploads: Limit?
        var previews: Limit?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(transforms, forKey: .transforms)
            try c.encode(uploads, forKey: .uploads)
            try c.encode(previews, forKey: .previews)
        }

        enum CodingKeys: String, CodingKey { case transforms, uploads, previews }
    }

    struct Usage: Encodable {
        var originals: Holding
        var variants: Holding
        /// Originals' and variants' bytes together: what the quota counts.
        var stored_bytes: Int
        /// `STORAGE_QUOTA_BYTES`, or null without a quota.
        var quota_bytes: Int?
        var transforms: Transforms
        var rate_limits: RateLimits

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(originals, forKey: .originals)
            try c.encode(variants, forKey: .variants)
            try c.encode(stored_bytes, forKey: .stored_bytes)
            try c.encode(quota_bytes, forKey: .quota_bytes)
            try c.encode(transforms, forKey: .transforms)
            try c.encode(rate_limits, forKey: .rate_limits)
        }

        enum CodingKeys: String, CodingKey { case originals, variants, stored_bytes, quota_bytes, transforms, rate_limits }
    }

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .anyCredential)
        let usage = try await service.images.usage(owner: user.id)
        let subject = user.id.uuidString.lowercased()
        /// Where `policy` stands for the caller, or nil when it is off.
        func limit(_ policy: RateLimitPolicy) async throws -> Limit? {
            guard policy.enabled else { return nil }
            let state = try await limiter.state(policy, subject: subject)
            return Limit(
                burst: policy.burst, interval_seconds: policy.interval, remaining: state.remaining,
                reset_seconds: max(0, Int(state.resetSeconds.rounded(.up)))
            )
        }
        let limits = RateLimits(
            transforms: try await limit(self.limits.transforms), uploads: try await limit(self.limits.uploads),
            previews: try await limit(self.limits.previews)
        )
        let body = Usage(
            originals: Holding(count: usage.originals, bytes: usage.originalBytes),
            variants: Holding(count: usage.variants, bytes: usage.variantBytes),
            stored_bytes: usage.storedBytes, quota_bytes: service.quota.limit,
            transforms: Transforms(period_start: usage.periodStart.ISO8601Format(), count: usage.transformsThisPeriod),
            rate_limits: limits
        )
        return .json(body, headers: ["cache-control": "no-store"])
    }
}
