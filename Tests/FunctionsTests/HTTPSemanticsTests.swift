import Foundation
import FunctionRuntime
@testable import Functions
import Testing

/// The pieces of HTTP that are plain functions: route matching for 405s, weak entity-tag comparison,
/// `Prefer: wait`, and HEAD's answer.
@Suite struct HTTPSemanticsTests {
    static func request(_ method: String = "POST", path: String = "/x", headers: [String: String] = [:]) -> APIGatewayV2Request {
        APIGatewayV2Request(
            routeKey: "\(method) \(path)", rawPath: path, rawQueryString: "", headers: headers,
            requestContext: .init(
                accountId: "0", apiId: "local", domainName: "localhost", domainPrefix: "localhost",
                http: .init(method: method, path: path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: ""),
                requestId: "r", routeKey: "\(method) \(path)", stage: "$default", time: "", timeEpoch: 0
            )
        )
    }

    @Test func routeTemplatesMatchSegmentBySegment() {
        #expect(FallbackFunction.matches("/images/{id}", "/images/abc"))
        #expect(FallbackFunction.matches("/images/{id}/t/{options}", "/images/abc/t/w_10"))
        #expect(!FallbackFunction.matches("/images/{id}", "/images/"))
        #expect(!FallbackFunction.matches("/images/{id}", "/images/abc/metadata"))
        #expect(!FallbackFunction.matches("/users", "/users/"))
        #expect(FallbackFunction.matches("/", "/"))
        #expect(!FallbackFunction.matches("/", "/x"))
    }

    @Test func weakTagsMatchForGET() {
        let etag = "\"abc\""
        #expect(EntityTag.matches(ifNoneMatch: "\"abc\"", etag))
        #expect(EntityTag.matches(ifNoneMatch: "W/\"abc\"", etag))
        #expect(EntityTag.matches(ifNoneMatch: "\"x\", W/\"abc\"", etag))
        #expect(EntityTag.matches(ifNoneMatch: "*", etag))
        #expect(!EntityTag.matches(ifNoneMatch: "\"abcd\"", etag))
        #expect(!EntityTag.matches(ifNoneMatch: "abc", etag))
    }

    @Test func preferWaitIsCappedAndHasADefault() {
        func wait(_ prefer: String?) -> Int? {
            TransformFunction.preferredWait(Self.request(headers: prefer.map { ["prefer": $0] } ?? [:]))
        }
        #expect(wait(nil) == nil)
        #expect(wait("wait") == TransformFunction.defaultWaitSeconds)
        #expect(wait("respond-async, wait") == TransformFunction.defaultWaitSeconds)
        #expect(wait("wait=5") == 5)
        #expect(wait("Wait=30") == 30)
        #expect(wait("wait=31") == 30)
        #expect(wait("wait=999") == TransformFunction.maxWaitSeconds)
        #expect(wait("wait=-3") == 0)
        #expect(wait("wait=soon") == nil)
        #expect(wait("return=minimal") == nil)
    }

    @Test func headKeepsTheHeadersAndTheLengthButNotTheBody() {
        let text = APIGatewayV2Response(statusCode: 200, headers: ["content-type": "application/json"], body: "{\"a\":1}")
        #expect(text.withoutBody().body == nil)
        #expect(text.withoutBody().headers?["content-length"] == "7")
        #expect(text.withoutBody().headers?["content-type"] == "application/json")
        for size in [1, 2, 3, 1000] {
            let bytes = Data((0..<size).map { UInt8($0 % 256) })
            let binary = APIGatewayV2Response(statusCode: 200, body: bytes.base64EncodedString(), isBase64Encoded: true)
            #expect(binary.withoutBody().headers?["content-length"] == String(size))
            #expect(binary.withoutBody().isBase64Encoded == nil)
        }
    }
}
