import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a webhook may point. A webhook makes this service send requests wherever its owner says, so the
/// target is checked twice: its URL when it is registered, and the addresses its host resolves to before
/// every attempt (a name may be pointed elsewhere later). In production a target is `https://`, carries no
/// user or password, and neither names nor resolves to a loopback, private, link-local, shared (CGNAT),
/// multicast, documentation or otherwise reserved address: the functions run inside a VPC, next to the
/// database and the broker. In development `http://` and loopback are allowed too, so a receiver on
/// 127.0.0.1 works; private ranges stay refused there as well.
struct WebhookTarget: Sendable, Equatable {
    enum Policy: Sendable, Equatable {
        case production
        case development

        var allowsLoopback: Bool { self == .development }
        var schemes: [String] { self == .production ? ["https"] : ["https", "http"] }
    }

    let url: URL
    let host: String

    /// The URL, or why it cannot be a target (a message for the `url` field).
    static func parse(_ text: String, policy: Policy) -> Result<WebhookTarget, Refusal> {
        guard text.utf8.count <= 2048 else { return .failure(.init("must be at most 2048 bytes")) }
        // A raw NUL, CR, LF or other control character is no part of a URL (RFC 3986), and CR or LF would split
        // the request line a delivery sends.
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return .failure(.init("must not contain control characters (NUL, CR, LF, ...); percent-encode them"))
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty, let url = components.url
        else {
            return .failure(.init("must be an absolute URL such as https://example.com/hooks"))
        }
        guard policy.schemes.contains(scheme) else {
            return .failure(.init(policy == .production ? "must be an https:// URL" : "must be an http:// or https:// URL"))
        }
        guard components.user == nil, components.password == nil else {
            return .failure(.init("must not carry a user or password; sign-in is the signature's job"))
        }
        guard components.fragment == nil else { return .failure(.init("must not have a #fragment")) }
        var bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        while bare.hasSuffix(".") { bare.removeLast() }
        let lower = bare.lowercased()
        if lower == "localhost" || lower.hasSuffix(".localhost") {
            if !policy.allowsLoopback { return .failure(.init("must not point at this machine (localhost)")) }
        } else if let address = IPAddress(bare), let refusal = address.refusal(policy: policy) {
            return .failure(refusal)
        }
        return .success(WebhookTarget(url: url, host: lower.isEmpty ? "." : lower))
    }

    /// Resolves the host and refuses it when any of its addresses may not be a target (DNS can answer
    /// differently later still; the attempt's connection is not pinned to what was checked here).
    func checkResolvedAddresses(policy: Policy) -> Refusal? {
        if let address = IPAddress(host) {
            return address.refusal(policy: policy)
        }
        if host == "localhost" || host.hasSuffix(".localhost") {
            return policy.allowsLoopback ? nil : Refusal("points at this machine (localhost)")
        }
        let addresses = IPAddress.resolve(host)
        guard !addresses.isEmpty else { return Refusal("the host name does not resolve") }
        for address in addresses {
            if let refusal = address.refusal(policy: policy) { return Refusal("the host name resolves to \(address): \(refusal.message)") }
        }
        return nil
    }

    struct Refusal: Error, Sendable, Equatable {
        var message: String
        init(_ message: String) { self.message = message }
    }
}

/// An IPv4 or IPv6 address and the ranges a webhook may not reach.
struct IPAddress: Sendable, Equatable, CustomStringConvertible {
    /// 4 or 16 bytes.
    let bytes: [UInt8]

    /// Also the legacy IPv4 spellings resolvers still accept (`2130706433`, `0x7f.1`), so they cannot hide
    /// an address from the checks.
    init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_aton(text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
        inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
        return String(cString: text)
    }

    /// Why a webhook may not reach this address, or nil.
    func refusal(policy: WebhookTarget.Policy) -> WebhookTarget.Refusal? {
        if bytes.count == 16 {
            // IPv4 inside IPv6 (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d, 6to4 2002:aabb:ccdd::) is checked as IPv4.
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff
                || bytes[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]
            {
                return IPAddress(bytes: Array(bytes[12..<16])).refusal(policy: policy)
            }
            if bytes[0] == 0x20 && bytes[1] == 0x02 { return IPAddress(bytes: Array(bytes[2..<6])).refusal(policy: policy) }
        }
        guard let range = reservedRange else { return nil }
        if range == "loopback", policy.allowsLoopback { return nil }
        return WebhookTarget.Refusal("must not point at a \(range) address")
    }

    /// The name of the special-purpose range (RFC 6890 and its updates) this address is in.
    var reservedRange: String? {
        let ranges = bytes.count == 4 ? Self.v4Ranges : Self.v6Ranges
        return ranges.first { prefix, length, _ in Self.matches(bytes, prefix, length) }?.2
    }

    private static func matches(_ address: [UInt8], _ prefix: [UInt8], _ length: Int) -> Bool {
        var bits = length
        for (a, p) in zip(address, prefix) where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xff : ~(0xff >> UInt8(bits))
            if a & mask != p & mask { return false }
            bits -= 8
        }
        return true
    }

    private static let v4Ranges: [([UInt8], Int, String)] = [
        ([127, 0, 0, 0], 8, "loopback"),
        ([0, 0, 0, 0], 8, "unspecified (\"this network\")"),
        ([10, 0, 0, 0], 8, "private"),
        ([172, 16, 0, 0], 12, "private"),
        ([192, 168, 0, 0], 16, "private"),
        ([100, 64, 0, 0], 10, "shared (carrier-grade NAT)"),
        ([169, 254, 0, 0], 16, "link-local"),
        ([192, 0, 0, 0], 24, "IETF protocol assignment"),
        ([192, 0, 2, 0], 24, "documentation"),
        ([198, 51, 100, 0], 24, "documentation"),
        ([203, 0, 113, 0], 24, "documentation"),
        ([198, 18, 0, 0], 15, "benchmarking"),
        ([224, 0, 0, 0], 4, "multicast"),
        ([240, 0, 0, 0], 4, "reserved"),
    ]

    private static let v6Ranges: [([UInt8], Int, String)] = [
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback"),
        ([UInt8](repeating: 0, count: 16), 128, "unspecified"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 96, "IPv4-compatible (deprecated)"),
        ([0xfc, 0], 7, "private (unique local)"),
        ([0xfe, 0x80], 10, "link-local"),
        ([0xfe, 0xc0], 10, "site-local (deprecated)"),
        ([0xff, 0], 8, "multicast"),
        ([0x20, 0x01, 0x0d, 0xb8], 32, "documentation"),
        ([0x01, 0, 0, 0, 0, 0, 0, 0], 64, "discard-only"),
        ([0x20, 0x01, 0x00, 0x00], 23, "IETF protocol assignment"),
    ]

    /// Every address the resolver gives for `host` (none when it does not resolve).
    static func resolve(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var found: [IPAddress] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let current = node {
            if let address = current.pointee.ai_addr {
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                        var a = v4.pointee.sin_addr
                        found.append(IPAddress(bytes: withUnsafeBytes(of: &a) { Array($0) }))
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                        var a = v6.pointee.sin6_addr
                        found.append(IPAddress(bytes: withUnsafeBytes(of: &a) { Array($0) }))
                    }
                default: break
                }
            }
            node = current.pointee.ai_next
        }
        return found
    }
}
