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
            WaitPreference.preferredWait(Self.request(headers: prefer.map { ["prefer": $0] } ?? [:]))
        }
        #expect(wait(nil) == nil)
        #expect(wait("wait") == WaitPreference.defaultWaitSeconds)
        #expect(wait("respond-async, wait") == WaitPreference.defaultWaitSeconds)
        #expect(wait("wait=5") == 5)
        #expect(wait("Wait=30") == 30)
        #expect(wait("wait=31") == 30)
        #expect(wait("wait=999") == WaitPreference.maxWaitSeconds)
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

/// Listing windows: every bad parameter named, and none that overflows (a page of 922337203685477582 trapped
/// the process, a 502 after 4 s, on every paged listing).
@Suite struct PagingTests {
    func fields(_ query: [String: String]) -> [String] {
        do {
            _ = try Paging(query)
            return []
        } catch {
            return (error.fieldErrors ?? []).map(\.field)
        }
    }

    @Test func outOfRangeWindowsAreNamedNotTrapped() throws {
        #expect(fields(["page": "922337203685477582"]) == ["page"])
        #expect(fields(["page": "922337203685477582", "limit": "100"]) == ["page"])
        #expect(fields(["skip": "9223372036854775807"]) == ["skip"])
        #expect(fields(["page": "99999999999999999999999"]) == ["page"])  // not an Int at all
        #expect(fields(["limit": "0", "page": "5"]) == ["limit"])
        #expect(fields(["page": "0", "skip": "-1"]) == ["page", "skip", "skip"])
        let last = try Paging(["page": String(Paging.maxSkip / 10 + 1)])
        #expect(last.skip == Paging.maxSkip)
        let third = try Paging(["page": "3", "limit": "20"])
        #expect(third.skip == 40 && third.limit == 20)
        let clamped = try Paging(["skip": "7", "limit": "500"])
        #expect(clamped.skip == 7 && clamped.limit == 100)
    }
}

/// Ids in paths are whole UUIDs: Foundation's parser took `uuid` followed by a NUL as the id.
@Suite struct PathIDTests {
    @Test func onlyAWholeUUIDIsAnID() {
        let id = "0f8fad5b-d9cb-469f-a165-70867728950e"
        #expect(UUID(pathID: id) == UUID(uuidString: id))
        #expect(UUID(pathID: id.uppercased()) == UUID(uuidString: id))
        #expect(UUID(uuidString: id + "\u{0}") != nil)  // the trap this guards against
        for bad in [id + "\u{0}", id + "\u{0}x", id + " ", id + "0", String(id.dropLast()), "", "not-an-id"] {
            #expect(UUID(pathID: bad) == nil, "\(bad.debugDescription)")
        }
    }
}

/// Display names are bounded by Unicode scalars, not characters, and carry no bidirectional controls.
@Suite struct DisplayNameTests {
    @Test func namesAreCappedByScalarsAndLoseBidiControls() {
        let zalgo = "e" + String(repeating: "\u{301}", count: 50_000) + ".png"
        let capped = ImageService.displayName(zalgo, format: .png)
        #expect(capped.unicodeScalars.count == 255)
        #expect(capped.utf8.count <= 1020)
        #expect(ImageService.displayName("photo\u{202E}gpj.exe", format: .jpeg) == "photogpj.exe")
        #expect(ImageService.displayName("\u{2066}\u{2069}", format: .jpeg) == "upload.jpeg")
        // Cut between characters when one fits: no half of a flag is left.
        let flags = String(repeating: "🇫🇷", count: 200)
        let cut = ImageService.displayName(flags, format: .png)
        #expect(cut.unicodeScalars.count == 254 && cut.count == 127)
        // A family emoji keeps its joiners (they are formatting, not bidi controls).
        #expect(ImageService.displayName("👨‍👩‍👧.jpg", format: .jpeg) == "👨‍👩‍👧.jpg")
        #expect(ImageService.displayName("a/b\\c.png", format: .png) == "c.png")
    }
}

/// The multipart reader: boundaries as RFC 2046 bounds them, and a search linear in the body.
@Suite struct MultipartTests {
    static func request(boundary: String, body: [UInt8]) -> APIGatewayV2Request {
        var request = HTTPSemanticsTests.request(headers: ["content-type": "multipart/form-data; boundary=\(boundary)"])
        request.body = Data(body).base64EncodedString()
        request.isBase64Encoded = true
        return request
    }

    @Test func aBoundaryOver70CharactersIsA400AtOnce() throws {
        let hostile = String(repeating: "-", count: 40_000)
        let started = ContinuousClock.now
        #expect(throws: APIError.self) { try Upload.multipart(Self.request(boundary: hostile, body: Array(repeating: 45, count: 4_000_000))) }
        #expect(ContinuousClock.now - started < .seconds(2))
        do {
            _ = try Upload.multipart(Self.request(boundary: String(repeating: "b", count: 71), body: [1]))
        } catch {
            #expect(error.code == .badRequest && error.message.contains("70"))
        }
        // 70 is allowed, and the part is found.
        let boundary = String(repeating: "b", count: 70)
        let body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\n\r\nIMAGE\r\n--\(boundary)--\r\n".utf8)
        let upload = try Upload.multipart(Self.request(boundary: boundary, body: body))
        #expect(upload.bytes == Array("IMAGE".utf8) && upload.filename == "x.png")
    }

    /// 4 MB of near-boundaries with the longest boundary allowed are read whole and correctly, in bounded time
    /// (a generous bound: a guard against a pathological search, not a speed goal).
    @Test func nearBoundariesAreContent() throws {
        let boundary = String(repeating: "b", count: 70)
        let near = Array("\r\n--\(String(repeating: "b", count: 69))x".utf8)
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n".utf8)
        while body.count < 4_000_000 { body += near }
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        let started = ContinuousClock.now
        let upload = try Upload.multipart(Self.request(boundary: boundary, body: body))
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(upload.bytes == Array(body.dropFirst(boundary.count + 51).dropLast(boundary.count + 8)))
    }

    @Test func theFirstFilePartIsTakenByteForByte() throws {
        // The content holds CR LF, dashes and a near-boundary: all of it is content.
        let content = Array("A\r\n--XyA\r\n--Xy".utf8) + [0, 255, 13, 10, 45, 45]
        var body = Array("preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nnot a file\r\n".utf8)
        body += Array("--XyZ\r\ncontent-disposition: form-data; name=\"image\"; filename=\"first.png\"\r\nContent-Type: image/png\r\n\r\n".utf8) + content
        body += Array("\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"second.png\"\r\n\r\nSECOND\r\n--XyZ--\r\nepilogue".utf8)
        let upload = try Upload.multipart(Self.request(boundary: "\"XyZ\"", body: body))
        #expect(upload.bytes == content)
        #expect(upload.filename == "first.png")
    }

    /// A body cut short before any part ends is unreadable (400); a part without a disposition is no file (422).
    @Test func aBodyCutShortOrWithoutAFilePartHasNoFile() {
        let cut = Array("--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nPARTIAL".utf8)
        #expect { try Upload.multipart(Self.request(boundary: "XyZ", body: cut)) } throws: { ($0 as? APIError)?.code == .badRequest }
        let noDisposition = Array("--XyZ\r\nNot a header line\r\n\r\nX\r\n--XyZ--".utf8)
        #expect { try Upload.multipart(Self.request(boundary: "XyZ", body: noDisposition)) } throws: { ($0 as? APIError)?.code == .validationFailed }
    }

    @Test func theSearchFindsWhatANaiveOneFinds() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let haystack = (0..<Int.random(in: 0...200, using: &generator)).map { _ in UInt8.random(in: 0...2, using: &generator) }
            let needle = (0..<Int.random(in: 1...4, using: &generator)).map { _ in UInt8.random(in: 0...2, using: &generator) }
            let from = Int.random(in: 0...max(0, haystack.count), using: &generator)
            let naive = haystack.count < needle.count || from > haystack.count - needle.count ? nil
                : (from...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }.map { $0..<($0 + needle.count) }
            #expect(haystack.firstRange(of: needle, from: from) == naive)
        }
    }
}
