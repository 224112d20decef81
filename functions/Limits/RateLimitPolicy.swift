/// One announced allowance: `count` requests per `period` seconds, of which up to `burst` may come at once.
/// Written in configuration as `60/min burst 20` (`/s`, `/min`, `/h`; without `burst` it is the count);
/// `off` turns the limit off.
public struct RateLimitPolicy: Sendable, Equatable {
    /// The policy's name in `RateLimit-Policy` and `RateLimit` headers, and in metrics.
    public var name: String
    public var count: Int
    public var period: Double
    public var burst: Int
    public var enabled: Bool { count > 0 }

    public init(name: String, count: Int, period: Double, burst: Int) {
        self.name = name
        self.count = count
        self.period = period
        self.burst = burst
    }

    public init?(name: String, _ text: String) {
        let words = text.lowercased().split(separator: " ").map(String.init)
        if words == ["off"] {
            self.init(name: name, count: 0, period: 60, burst: 0)
            return
        }
        let rate = words.first?.split(separator: "/").map(String.init) ?? []
        let periods: [String: Double] = ["s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "hour": 3600]
        guard rate.count == 2, let count = Int(rate[0]), count > 0, let period = periods[rate[1]] else { return nil }
        var burst = count
        if words.count == 3, words[1] == "burst", let b = Int(words[2]), b > 0 {
            burst = b
        } else if words.count != 1 {
            return nil
        }
        self.init(name: name, count: count, period: period, burst: burst)
    }

    /// Seconds between requests at the steady rate (GCRA's emission interval).
    public var interval: Double { period / Double(count) }
}

/// The rate limits of the API (API.md: 60 transformation requests a minute with bursts of 20, 60 uploads a
/// minute, 10 login attempts a minute per username and client address).
public struct RateLimitSettings: Sendable, Equatable {
    public var transforms: RateLimitPolicy
    public var uploads: RateLimitPolicy
    public var logins: RateLimitPolicy
    /// Previews (`POST /images/{id}/preview`): rendered and stored nowhere, with an allowance of their own so a
    /// form's live preview never spends the transforms one.
    public var previews: RateLimitPolicy

    public init(transforms: RateLimitPolicy, uploads: RateLimitPolicy, logins: RateLimitPolicy, previews: RateLimitPolicy) {
        self.transforms = transforms
        self.uploads = uploads
        self.logins = logins
        self.previews = previews
    }

    public static let standard = RateLimitSettings(
        transforms: RateLimitPolicy(name: "transforms", count: 60, period: 60, burst: 20),
        uploads: RateLimitPolicy(name: "uploads", count: 60, period: 60, burst: 60),
        logins: RateLimitPolicy(name: "logins", count: 10, period: 60, burst: 10),
        previews: RateLimitPolicy(name: "previews", count: 120, period: 60, burst: 30)
    )
}
