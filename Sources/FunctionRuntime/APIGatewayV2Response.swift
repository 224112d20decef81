/// The response a function returns to API Gateway for payload format 2.0.
public struct APIGatewayV2Response: Codable, Sendable, Equatable {
    public var statusCode: Int
    public var headers: [String: String]?
    public var cookies: [String]?
    public var body: String?
    public var isBase64Encoded: Bool?

    public init(
        statusCode: Int, headers: [String: String]? = nil, cookies: [String]? = nil, body: String? = nil,
        isBase64Encoded: Bool? = nil
    ) {
        self.statusCode = statusCode
        self.headers = headers
        self.cookies = cookies
        self.body = body
        self.isBase64Encoded = isBase64Encoded
    }
}
