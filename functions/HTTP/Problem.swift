import FunctionRuntime

import Foundation

/// An RFC 9457 problem document, the body of every error response.
public struct Problem: Codable, Sendable, Equatable {
    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var code: String
    public var errors: [FieldError]?

    public init(status: Int, code: String, title: String, detail: String, errors: [FieldError]? = nil) {
        self.type = "https://imagefunctions.dev/problems/\(code.replacingOccurrences(of: "_", with: "-"))"
        self.title = title
        self.status = status
        self.detail = detail
        self.code = code
        self.errors = errors
    }

    /// The response carrying this problem, with any extra headers (`Retry-After`, `WWW-Authenticate`).
    public func response(headers extra: [String: String] = [:]) -> APIGatewayV2Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        var headers = ["content-type": "application/problem+json"]
        headers.merge(extra) { _, new in new }
        return APIGatewayV2Response(statusCode: status, headers: headers, body: body)
    }
}

extension APIGatewayV2Response {
    /// A JSON response of an encodable value.
    public static func json(_ value: some Encodable, status: Int = 200, headers extra: [String: String] = [:]) -> APIGatewayV2Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let body = (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        var headers = ["content-type": "application/json"]
        headers.merge(extra) { _, new in new }
        return APIGatewayV2Response(statusCode: status, headers: headers, body: body)
    }
}
