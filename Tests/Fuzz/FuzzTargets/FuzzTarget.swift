import Foundation
import FunctionRuntime
import Functions
import Imaging

/// The parsers and renderers that take what a client (or the broker) sends, each as a libFuzzer target:
/// arbitrary bytes in, and it must return without trapping, without hanging (libFuzzer's `-timeout`) and
/// with its invariant kept. `infra/fuzz` builds them into one binary and runs each for a bounded time;
/// `FuzzRegressionTests` replays every input kept under Tests/Fuzz/inputs, the seeds and each crash found.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The URL options grammar (`w_300,h_200,c_fill,...`).
    case urlOptions = "url-options"
    /// The JSON transformation parser (`{"transformations": {...}}`).
    case jsonTransformation = "json-transformation"
    /// The multipart reader; the first byte is the boundary's length, the boundary follows, then the body.
    case multipart
    /// The API Gateway payload 2.0 (and function URL) event decoder, then the body readers on what it decoded.
    case payloadV2 = "payload-v2"
    /// The `aws:rmq` event decoder and the transform job in each message.
    case rabbitMQEvent = "rmq-event"
    /// The problem+json renderer: fields split at NUL bytes, rendered and read back.
    case problem
    /// The BlurHash encoder on random pixels: the first four bytes are width, height and components.
    case blurHash = "blurhash"

    /// The invariants this input broke, if any (a trap is reported by the process dying, as libFuzzer wants).
    public func run(_ data: Data) -> [String] {
        switch self {
        case .urlOptions: Self.urlOptions(String(decoding: data, as: UTF8.self))
        case .jsonTransformation: Self.jsonTransformation(data)
        case .multipart: Self.multipart(data)
        case .payloadV2: Self.payloadV2(data)
        case .rabbitMQEvent: Self.rabbitMQEvent(data)
        case .problem: Self.problem(data)
        case .blurHash: Self.blurHash(data)
        }
    }

    /// Invariants of a spec either grammar accepted: its URL spelling and its canonical JSON both mean it.
    static func accepted(_ spec: TransformationSpec) -> [String] {
        var broken: [String] = []
        // A watermark text with a bar has no URL spelling: `|` and `%7C` both separate a pipeline's steps
        // (URLTransformationParser says so). Only the JSON route can take one, and a URL is only ever made
        // from URL options (sign-url), so this is the grammar's limit, not a bug. The fuzzer found it first.
        // By scalars: a bar that a combining mark follows is one Character with it, and `contains("|")` missed it.
        let spellable = !spec.steps.contains { step in
            if case .watermark(let mark) = step { mark.text.unicodeScalars.contains("|") } else { false }
        }
        if spellable {
            broken += urlSpelling(of: spec)
        }
        let decoded = try? JSONDecoder().decode(TransformationSpec.self, from: Data(spec.canonicalJSON.utf8))
        if decoded != spec { broken.append("its canonical JSON \(spec.canonicalJSON) reads back as another spec") }
        return broken
    }

    static func urlSpelling(of spec: TransformationSpec) -> [String] {
        var broken: [String] = []
        do {
            let again = try TransformationParsing.parse(urlOptions: spec.urlOptions)
            if again != spec { broken.append("its URL options \(spec.urlOptions) parse to another spec") }
        } catch {
            broken.append("its URL options \(spec.urlOptions) are refused: \(error.errors)")
        }
        return broken
    }

    /// A refusal's answer: a 4xx problem document that is JSON and names at least one field.
    static func refused(_ error: TransformationErrors) -> [String] {
        var broken = rendered(APIError(.invalidTransformation, "the transformation has invalid fields", fieldErrors: error.errors))
        if error.errors.isEmpty { broken.append("a refusal names no field") }
        return broken
    }

    /// An error's answer is a 4xx or 5xx problem+json document that parses.
    static func rendered(_ error: APIError) -> [String] {
        let response = error.response
        var broken: [String] = []
        if !(400...599).contains(response.statusCode) { broken.append("\(error.code.rawValue) answered \(response.statusCode)") }
        if (try? JSONSerialization.jsonObject(with: Data((response.body ?? "").utf8))) == nil {
            broken.append("the problem document of \(error.code.rawValue) is not JSON")
        }
        return broken
    }

    static func urlOptions(_ raw: String) -> [String] {
        do {
            let spec = try TransformationParsing.parse(urlOptions: raw, forImageOf: (width: 4000, height: 3000))
            return accepted(spec)
        } catch {
            return refused(error)
        }
    }

    static func jsonTransformation(_ data: Data) -> [String] {
        guard let body = try? JSONDecoder().decode(JSONValue.self, from: data) else { return [] }
        do {
            let spec = try TransformationParsing.parse(body: body, forImageOf: (width: 4000, height: 3000))
            return accepted(spec)
        } catch {
            return refused(error)
        }
    }

    static func multipart(_ data: Data) -> [String] {
        guard let first = data.first else { return [] }
        let length = min(Int(first), data.count - 1)
        let boundary = String(decoding: data.dropFirst().prefix(length), as: UTF8.self)
        let body = data.dropFirst(1 + length)
        let request = APIGatewayV2Request.fuzzed(
            headers: ["content-type": "multipart/form-data; boundary=\(boundary)"], body: Data(body).base64EncodedString(), isBase64Encoded: true
        )
        return upload(request, base64JSON: false)
    }

    /// An upload read from a request either succeeds with bytes within the limits or is a 4xx.
    static func upload(_ request: APIGatewayV2Request, base64JSON: Bool) -> [String] {
        do {
            let bytes = try Upload.read(request, base64JSON: base64JSON).bytes
            return bytes.isEmpty || bytes.count > Upload.maxBytes ? ["an upload of \(bytes.count) bytes was accepted"] : []
        } catch {
            let broken = rendered(error)
            return (400...499).contains(error.response.statusCode) ? broken : broken + ["a bad upload answered \(error.response.statusCode)"]
        }
    }

    static func payloadV2(_ data: Data) -> [String] {
        guard let event = try? JSONDecoder().decode(APIGatewayV2Request.self, from: data) else { return [] }
        let request = event.matchingPathParameters(of: functionTable.descriptions.flatMap(\.routes))
        return upload(request, base64JSON: false) + upload(request, base64JSON: true)
    }

    static func rabbitMQEvent(_ data: Data) -> [String] {
        guard let event = try? JSONDecoder().decode(RabbitMQEvent.self, from: data) else { return [] }
        var broken: [String] = []
        for message in event.messages {
            // A job is read from JSON of its two ids or not at all; its encoding reads back as itself.
            if let job = TransformJob(message), let encoded = try? JSONEncoder().encode(job),
                let again = try? JSONDecoder().decode(TransformJob.self, from: encoded),
                again.variant_id != job.variant_id || again.owner_id != job.owner_id
            {
                broken.append("a transform job does not survive its own encoding")
            }
        }
        // What was decoded encodes and decodes to itself (local-runtime and the tests write these events).
        if let encoded = try? JSONEncoder().encode(event), (try? JSONDecoder().decode(RabbitMQEvent.self, from: encoded)) != event {
            broken.append("the event does not survive its own encoding")
        }
        return broken
    }

    static func problem(_ data: Data) -> [String] {
        let fields = data.split(separator: 0, maxSplits: 4, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        func field(_ i: Int) -> String { i < fields.count ? fields[i] : "" }
        let status = 400 + Int(data.first ?? 0) % 200
        let errors = fields.count > 3 ? [Problem.FieldError(field: field(3), message: field(4))] : nil
        let problem = Problem(status: status, code: field(1), title: field(0), detail: field(2), errors: errors)
        let response = problem.response(headers: ["retry-after": "5"])
        var broken: [String] = []
        if response.headers?["content-type"] != "application/problem+json" { broken.append("not served as problem+json") }
        guard let body = response.body, let back = try? JSONDecoder().decode(Problem.self, from: Data(body.utf8)) else {
            return broken + ["the rendered problem does not read back"]
        }
        if back != problem { broken.append("the rendered problem reads back as another") }
        return broken
    }

    static func blurHash(_ data: Data) -> [String] {
        let bytes = [UInt8](data)
        guard bytes.count >= 4 else { return [] }
        let width = 1 + Int(bytes[0]) % 64, height = 1 + Int(bytes[1]) % 64
        let x = 1 + Int(bytes[2]) % 9, y = 1 + Int(bytes[3]) % 9
        let pixels = bytes.count > 4 ? Array(bytes[4...]) : [0]
        let rgb = (0..<(width * height * 3)).map { pixels[$0 % pixels.count] }
        guard let hash = BlurHash.encode(rgb: rgb, width: width, height: height, xComponents: x, yComponents: y) else {
            return ["no hash for \(width)x\(height) with \(x)x\(y) components"]
        }
        let alphabet = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~")
        var broken: [String] = []
        if hash.count != 4 + 2 * x * y { broken.append("\(hash.count) characters for \(x)x\(y) components") }
        if !hash.allSatisfy(alphabet.contains) { broken.append("\(hash) is not base 83") }
        return broken
    }
}

extension APIGatewayV2Request {
    /// A POST /images as API Gateway would send it, with the fuzzer's headers and body.
    static func fuzzed(headers: [String: String], body: String, isBase64Encoded: Bool) -> APIGatewayV2Request {
        APIGatewayV2Request(
            routeKey: "POST /images", rawPath: "/images", rawQueryString: "", headers: headers,
            requestContext: .init(
                accountId: "fuzz", apiId: "fuzz", domainName: "localhost", domainPrefix: "localhost",
                http: .init(method: "POST", path: "/images", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "fuzz"),
                requestId: "fuzz", routeKey: "POST /images", stage: "$default", time: "", timeEpoch: 0
            ),
            body: body, isBase64Encoded: isBase64Encoded
        )
    }
}
