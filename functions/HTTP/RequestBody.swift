import FunctionRuntime
import Foundation
import Imaging

/// Reading a request's body: its bytes, JSON (refusing nesting deeper than 32 levels, and documents over
/// 64 KiB, before parsing), and HTML form fields.
enum RequestBody {
    static let maxJSONDepth = 32
    /// Every JSON body of the API but the base64 upload is a few hundred bytes; this leaves room to spare.
    static let maxJSONBytes = 64 << 10

    static func bytes(_ request: APIGatewayV2Request) throws(APIError) -> Data {
        guard let body = request.body else { return Data() }
        guard request.isBase64Encoded else { return Data(body.utf8) }
        guard let data = Data(base64Encoded: body) else { throw APIError(.badRequest, "the body could not be read") }
        return data
    }

    /// The media type without parameters, lower-cased.
    static func mediaType(_ request: APIGatewayV2Request) -> String {
        (request.header("content-type") ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
    }

    /// - Parameter maxBytes: the largest document accepted; the base64 upload passes the body limit.
    static func json(_ request: APIGatewayV2Request, maxBytes: Int = maxJSONBytes) throws(APIError) -> JSONValue {
        let data = try bytes(request)
        guard !data.isEmpty else { throw APIError(.badRequest, "the body must be a JSON object") }
        guard data.count <= maxBytes else {
            throw APIError(.badRequest, "the JSON body is larger than \(maxBytes / 1024) KiB")
        }
        guard depth(of: data) <= maxJSONDepth else {
            throw APIError(.badRequest, "the JSON is nested deeper than \(maxJSONDepth) levels")
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw APIError(.badRequest, "the body is not valid JSON")
        }
    }

    /// `application/x-www-form-urlencoded` fields; the first value of a repeated field wins.
    static func form(_ request: APIGatewayV2Request) throws(APIError) -> [String: String] {
        let text = String(decoding: try bytes(request), as: UTF8.self)
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let key = decode(parts[0])
            if fields[key] == nil { fields[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return fields
    }

    /// The deepest nesting of arrays and objects, found without parsing (strings skipped).
    static func depth(of data: Data) -> Int {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
        return deepest
    }
}

extension JSONValue {
    /// The fields of an object body, or a 400.
    func objectFields() throws(APIError) -> [String: JSONValue] {
        guard case .object(let fields) = self else { throw APIError(.badRequest, "the body must be a JSON object") }
        return fields
    }
}
