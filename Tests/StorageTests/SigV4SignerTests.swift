import ChildProcess
import Foundation
import Storage
import Testing

/// SigV4 signatures compared byte for byte with botocore's S3SigV4Auth for the same requests, signed at the
/// same instant: botocore is the independent oracle.
@Suite struct SigV4SignerTests {
    let signer = SigV4Signer(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "eu-west-1"
    )
    let date = Date(timeIntervalSince1970: 1_764_158_400)  // 2025-11-26T12:00:00Z

    struct Case: Sendable, CustomTestStringConvertible {
        var method: String
        var url: String
        var path: String
        var host: String
        var query: [(String, String)]
        var body: Data
        var contentType: String?
        var testDescription: String { "\(method) \(url)" }
    }

    static let cases: [Case] = [
        Case(method: "GET", url: "http://127.0.0.1:9000/images/originals/a.jpg", path: "/images/originals/a.jpg", host: "127.0.0.1:9000", query: [], body: Data(), contentType: nil),
        Case(method: "PUT", url: "https://images.s3.eu-west-1.amazonaws.com/v/x%20y%2Bz.png", path: "/v/x%20y%2Bz.png", host: "images.s3.eu-west-1.amazonaws.com", query: [], body: Data("png-bytes".utf8), contentType: "image/png"),
        Case(method: "HEAD", url: "http://localhost:4566/images", path: "/images", host: "localhost:4566", query: [], body: Data(), contentType: nil),
        Case(method: "GET", url: "http://127.0.0.1:9000/images?list-type=2&prefix=a%2Fb&max-keys=10", path: "/images", host: "127.0.0.1:9000", query: [("list-type", "2"), ("prefix", "a/b"), ("max-keys", "10")], body: Data(), contentType: nil),
        Case(method: "DELETE", url: "http://127.0.0.1:9000/images/%C3%A9t%C3%A9.jpg", path: "/images/%C3%A9t%C3%A9.jpg", host: "127.0.0.1:9000", query: [], body: Data(), contentType: nil),
    ]

    @Test(arguments: cases) func matchesBotocore(_ c: Case) async throws {
        var headers = [("host", c.host)]
        if let contentType = c.contentType { headers.append(("content-type", contentType)) }
        let ours = signer.sign(
            method: c.method, path: c.path, query: c.query, headers: headers,
            payloadHash: SigV4Signer.payloadHash(c.body), date: date
        )
        let theirs = try await botocoreAuthorization(c)
        #expect(ours.first { $0.0 == "Authorization" }?.1 == theirs)
        #expect(ours.first { $0.0 == "x-amz-date" }?.1 == "20251126T120000Z")
    }

    struct PresignCase: Sendable, CustomTestStringConvertible {
        var method: String
        var url: String
        var path: String
        var host: String
        var query: [(String, String)]
        var headers: [(String, String)]
        var token: String?
        var expires: Int
        var testDescription: String { "presigned \(method) \(url)" }
    }

    static let presignCases: [PresignCase] = [
        PresignCase(method: "GET", url: "http://127.0.0.1:9000/images/originals/u/i", path: "/images/originals/u/i", host: "127.0.0.1:9000", query: [], headers: [], token: nil, expires: 300),
        PresignCase(
            method: "GET", url: "https://images.s3.eu-west-1.amazonaws.com/variants/u/s/h", path: "/variants/u/s/h",
            host: "images.s3.eu-west-1.amazonaws.com",
            query: [("response-content-type", "image/png"), ("response-content-disposition", #"inline; filename="Dune.png"; filename*=UTF-8''D%C3%BCne.png"#)],
            headers: [], token: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+abc/def==", expires: 300
        ),
        PresignCase(
            method: "PUT", url: "http://127.0.0.1:29100/images/uploads/a%20b/c", path: "/images/uploads/a%20b/c", host: "127.0.0.1:29100",
            query: [], headers: [("content-length", "20000000")], token: nil, expires: 900
        ),
        PresignCase(
            method: "PUT", url: "https://images.s3.eu-west-1.amazonaws.com/uploads/u/i", path: "/uploads/u/i",
            host: "images.s3.eu-west-1.amazonaws.com", query: [], headers: [("content-length", "1")], token: "token+/=", expires: 604800
        ),
    ]

    /// Presigned URLs, the whole URL compared with botocore's S3SigV4QueryAuth at the same instant.
    @Test(arguments: presignCases) func presignedURLsMatchBotocore(_ c: PresignCase) async throws {
        let signer = SigV4Signer(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: c.token,
            region: "eu-west-1"
        )
        let query = signer.presignedQuery(
            method: c.method, path: c.path, query: c.query, headers: [("host", c.host)] + c.headers, expires: c.expires, date: date
        )
        let script = """
            import sys, json, datetime
            import botocore.auth
            from urllib.parse import urlencode, quote
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            botocore.auth.get_current_datetime = lambda *a, **k: datetime.datetime(2025, 11, 26, 12, 0, 0)
            spec = json.load(sys.stdin)
            url = spec["url"]
            if spec["query"]:
                url += "?" + urlencode([tuple(p) for p in spec["query"]], quote_via=quote, safe="-_.~")
            request = AWSRequest(method=spec["method"], url=url, headers=dict(spec["headers"]))
            credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", spec["token"])
            botocore.auth.S3SigV4QueryAuth(credentials, "s3", "eu-west-1", expires=spec["expires"]).add_auth(request)
            print(request.url)
            """
        let spec: [String: Any] = [
            "method": c.method, "url": c.url, "query": c.query.map { [$0.0, $0.1] }, "headers": c.headers.map { [$0.0, $0.1] },
            "token": c.token ?? NSNull(), "expires": c.expires,
        ]
        let result = try await ChildProcess.run(
            "/usr/bin/env", ["python3", "-c", script], input: try JSONSerialization.data(withJSONObject: spec)
        )
        try #require(result.status == 0, "botocore is needed as the oracle (pip install botocore)")
        let base = c.url
        #expect(base + "?" + query == result.text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func encodesLikeSigV4() {
        #expect(SigV4Signer.encode("a b/c~d_e.f-g", encodeSlash: false) == "a%20b/c~d_e.f-g")
        #expect(SigV4Signer.encode("a/b+c=", encodeSlash: true) == "a%2Fb%2Bc%3D")
        #expect(SigV4Signer.encode("été", encodeSlash: false) == "%C3%A9t%C3%A9")
    }

    /// Runs botocore in a subprocess with the clock fixed at `date`.
    func botocoreAuthorization(_ c: Case) async throws -> String {
        let script = """
            import sys, json, datetime
            import botocore.auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            botocore.auth.get_current_datetime = lambda *a, **k: datetime.datetime(2025, 11, 26, 12, 0, 0)
            spec = json.load(sys.stdin)
            headers = {"Content-Type": spec["contentType"]} if spec["contentType"] else {}
            request = AWSRequest(method=spec["method"], url=spec["url"], data=bytes.fromhex(spec["body"]), headers=headers)
            botocore.auth.S3SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "s3", "eu-west-1").add_auth(request)
            print(request.headers["Authorization"])
            """
        let spec: [String: Any] = [
            "method": c.method, "url": c.url, "body": c.body.map { String(format: "%02x", $0) }.joined(),
            "contentType": c.contentType ?? NSNull(),
        ]
        let result = try await ChildProcess.run(
            "/usr/bin/env", ["python3", "-c", script], input: try JSONSerialization.data(withJSONObject: spec)
        )
        try #require(result.status == 0, "botocore is needed as the oracle (pip install botocore)")
        return result.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
