import FunctionRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOFoundationCompat

/// Turns an HTTP request into the API Gateway HTTP API payload 2.0 event that API Gateway would send, and the
/// function's answer back into an HTTP response, the way API Gateway maps them. A function that streams
/// (`InvokeMode.responseStream`) is reached through its function URL in AWS, whose events have the same
/// format without the route: `routeKey` `$default` and no path parameters (`functionURL`).
enum APIGatewayEventBuilder {
    static func event(
        for request: Request, body: ByteBuffer, route: HTTPRoute, pathParameters: [String: String], sourceIP: String,
        requestID: String, functionURL: Bool = false, now: Date = Date()
    ) -> APIGatewayV2Request {
        let routeKey = functionURL ? "$default" : route.description
        let pathParameters = functionURL ? [:] : pathParameters
        // Header names lower-cased, repeated headers joined with commas; cookies go to their own list.
        var headers: [String: String] = [:]
        var cookies: [String] = []
        for field in request.headers {
            let name = field.name.canonicalName
            if name == "cookie" {
                cookies += field.value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                continue
            }
            headers[name] = headers[name].map { "\($0),\(field.value)" } ?? field.value
        }
        let rawQuery = request.uri.query ?? ""
        var query: [String: String] = [:]
        for pair in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decodeQueryComponent(parts[0])
            let value = parts.count > 1 ? decodeQueryComponent(parts[1]) : ""
            query[key] = query[key].map { "\($0),\(value)" } ?? value
        }

        let bytes = Data(buffer: body)
        let (bodyString, isBase64) = encodeBody(bytes, contentType: headers["content-type"])
        let context = APIGatewayV2Request.Context(
            accountId: "000000000000",
            apiId: "local",
            domainName: headers["host"] ?? "localhost",
            domainPrefix: String((headers["host"] ?? "localhost").split(separator: ".").first ?? "localhost"),
            http: .init(
                method: request.method.rawValue, path: request.uri.path, protocol: "HTTP/1.1", sourceIp: sourceIP,
                userAgent: headers["user-agent"] ?? ""
            ),
            requestId: requestID,
            routeKey: routeKey,
            stage: "$default",
            time: apiGatewayTime(now),
            timeEpoch: Int64(now.timeIntervalSince1970 * 1000)
        )
        return APIGatewayV2Request(
            routeKey: routeKey,
            rawPath: request.uri.path,
            rawQueryString: rawQuery,
            cookies: cookies.isEmpty ? nil : cookies,
            headers: headers,
            queryStringParameters: query.isEmpty ? nil : query,
            pathParameters: pathParameters.isEmpty ? nil : pathParameters,
            requestContext: context,
            body: bodyString,
            isBase64Encoded: isBase64
        )
    }

    /// Text bodies travel as text, everything else base64-encoded, as API Gateway does.
    static func encodeBody(_ bytes: Data, contentType: String?) -> (String?, Bool) {
        if bytes.isEmpty { return (nil, false) }
        let type = (contentType ?? "").lowercased()
        let textual = type.hasPrefix("text/") || type.contains("json") || type.contains("xml")
            || type.hasPrefix("application/x-www-form-urlencoded") || type.contains("javascript")
        if textual, let text = String(data: bytes, encoding: .utf8) { return (text, false) }
        return (bytes.base64EncodedString(), true)
    }

    /// A function's output as an HTTP response. Output that is not a `{"statusCode": ...}` object is sent as a
    /// 200 JSON body, as API Gateway does for payload 2.0.
    static func response(from output: Data) -> Response {
        guard let decoded = try? JSONDecoder().decode(APIGatewayV2Response.self, from: output) else {
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: output)))
        }
        var headers = HTTPFields()
        for (name, value) in decoded.headers ?? [:] {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        for cookie in decoded.cookies ?? [] { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        var body = ByteBuffer()
        if let text = decoded.body {
            if decoded.isBase64Encoded == true, let data = Data(base64Encoded: text) {
                body = ByteBuffer(bytes: data)
            } else {
                body = ByteBuffer(string: text)
            }
        }
        return Response(status: .init(code: decoded.statusCode), headers: headers, body: .init(byteBuffer: body))
    }

    private static func decodeQueryComponent(_ part: Substring) -> String {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// `12/Mar/2020:19:03:58 +0000`, API Gateway's `requestContext.time`. Written by hand from the UTC calendar
    /// fields: a DateFormatter made per request was a visible share of local-runtime's CPU on cached GETs.
    static func apiGatewayTime(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(two(parts.tm_mday))/\(months[Int(parts.tm_mon)])/\(parts.tm_year + 1900):\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}
