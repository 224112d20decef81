import Crypto

import Foundation

/// AWS Signature Version 4 for S3 requests: the header form with a signed payload hash, and presigned URLs. Written by hand because no
/// mirrored package signs requests; checked byte for byte against botocore in StorageTests.
public struct SigV4Signer: Sendable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public var region: String
    public var service: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, region: String, service: String = "s3") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.region = region
        self.service = service
    }

    /// The SHA-256 of an empty payload.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public static func payloadHash(_ body: some DataProtocol) -> String { hex(SHA256.hash(data: body)) }

    /// Headers to add to the request: `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token` when there is a
    /// session token, and `Authorization`.
    /// - Parameters:
    ///   - path: the request path exactly as it is sent (already percent-encoded), e.g. `/bucket/a%20b.jpg`.
    ///   - query: decoded query parameters.
    ///   - headers: the headers that will be sent and signed; `host` must be among them.
    public func sign(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)], payloadHash: String,
        date: Date = Date()
    ) -> [(String, String)] {
        let amzDate = Self.timestamp(date)
        let day = String(amzDate.prefix(8))
        var signed: [(String, String)] = headers.map { ($0.0.lowercased(), Self.trimmed($0.1)) }
        var added = [("x-amz-date", amzDate), ("x-amz-content-sha256", payloadHash)]
        if let sessionToken { added.append(("x-amz-security-token", sessionToken)) }
        signed.append(contentsOf: added)

        // Headers with the same name are joined by commas, names sorted.
        var byName: [String: [String]] = [:]
        for (name, value) in signed { byName[name, default: []].append(value) }
        let names = byName.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(byName[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")

        let encodedQuery: [(String, String)] = query.map { pair in
            (Self.encode(pair.0, encodeSlash: true), Self.encode(pair.1, encodeSlash: true))
        }
        let sortedQuery = encodedQuery.sorted { a, b in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        let canonicalQuery = sortedQuery.map { "\($0.0)=\($0.1)" }.joined(separator: "&")

        let canonicalRequest = [method, path.isEmpty ? "/" : path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash]
            .joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let signature = self.signature(of: canonicalRequest, amzDate: amzDate, scope: scope, day: day)
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return added + [("Authorization", authorization)]
    }

    /// A presigned URL's query (SigV4 query-string authentication, payload unsigned): the operation's own
    /// parameters in the order given, then the authentication parameters, then `X-Amz-Signature`, which is
    /// the order botocore writes them in.
    /// - Parameters:
    ///   - path: the request path exactly as it is sent (already percent-encoded).
    ///   - query: the operation's decoded parameters (e.g. `response-content-type`).
    ///   - headers: headers the request must carry and that are signed; `host` must be among them.
    ///   - expires: seconds the URL is valid, 1 to 604800.
    public func presignedQuery(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)], expires: Int,
        date: Date = Date()
    ) -> String {
        let amzDate = Self.timestamp(date)
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        var byName: [String: [String]] = [:]
        for (name, value) in headers { byName[name.lowercased(), default: []].append(Self.trimmed(value)) }
        let names = byName.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(byName[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")

        var auth = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(accessKeyID)/\(scope)"),
            ("X-Amz-Date", amzDate), ("X-Amz-Expires", String(expires)), ("X-Amz-SignedHeaders", signedHeaders),
        ]
        if let sessionToken { auth.append(("X-Amz-Security-Token", sessionToken)) }
        let encoded = (query + auth).map { (Self.encode($0.0, encodeSlash: true), Self.encode($0.1, encodeSlash: true)) }
        let canonicalQuery = encoded.sorted { a, b in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let canonicalRequest = [method, path.isEmpty ? "/" : path, canonicalQuery, canonicalHeaders, signedHeaders, "UNSIGNED-PAYLOAD"]
            .joined(separator: "\n")
        let signature = self.signature(of: canonicalRequest, amzDate: amzDate, scope: scope, day: day)
        return (encoded.map { "\($0.0)=\($0.1)" } + ["X-Amz-Signature=\(signature)"]).joined(separator: "&")
    }

    private func signature(of canonicalRequest: String, amzDate: String, scope: String, day: String) -> String {
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    /// URI-encodes as SigV4 wants: unreserved characters kept, everything else `%XX` in upper case; `/` kept
    /// unless `encodeSlash` is set (object keys keep their slashes, query values do not).
    public static func encode(_ string: String, encodeSlash: Bool) -> String {
        var out = ""
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where !encodeSlash:
                out.append("/")
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    static func timestamp(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(fromDays: days)
        func two(_ v: Int64) -> String { String(v).leftPadded(to: 2) }
        return "\(String(year).leftPadded(to: 4))\(two(month))\(two(day))T\(two(secondOfDay / 3600))\(two(secondOfDay / 60 % 60))\(two(secondOfDay % 60))Z"
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm), so signing needs no
    /// calendar or locale.
    static func civilDate(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func trimmed(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
