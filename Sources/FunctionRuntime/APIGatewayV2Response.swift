import Foundation

/// The response a function returns to API Gateway for payload format 2.0.
public struct APIGatewayV2Response: Codable, Sendable, Equatable {
    public var statusCode: Int
    public var headers: [String: String]?
    public var cookies: [String]?
    public var body: String?
    public var isBase64Encoded: Bool?
    /// Raw bytes for the body, set by functions that answer binary data: a streamed response sends them as
    /// they are, a buffered one as base64 in `body` (`HTTPInvocationHandler`). Never encoded itself.
    public var binaryBody: Data?
    /// A body passed on as it arrives, for streamed answers (a buffered one collects it first). Never encoded.
    public var bodyStream: ResponseBodyStream?

    private enum CodingKeys: String, CodingKey {
        case statusCode, headers, cookies, body, isBase64Encoded
    }

    public init(
        statusCode: Int, headers: [String: String]? = nil, cookies: [String]? = nil, body: String? = nil,
        isBase64Encoded: Bool? = nil, binaryBody: Data? = nil, bodyStream: ResponseBodyStream? = nil
    ) {
        self.statusCode = statusCode
        self.headers = headers
        self.cookies = cookies
        self.body = body
        self.isBase64Encoded = isBase64Encoded
        self.binaryBody = binaryBody
        self.bodyStream = bodyStream
    }
}
