import Foundation

/// Lambda's HTTP response streaming contract (`application/vnd.awslambda.http-integration-response`), as
/// function URLs with `InvokeMode: RESPONSE_STREAM` and API Gateway's `STREAM` integrations read it: a JSON
/// prelude with the status, headers and cookies, eight NUL bytes, then the body's raw bytes. No base64 and no
/// JSON around the body, and the limit is streaming's rather than a buffered response's 6 MB.
public struct StreamedResponse: Sendable, Equatable {
    public static let contentType = "application/vnd.awslambda.http-integration-response"
    /// The eight NUL bytes between the prelude and the body.
    public static let delimiter = Data(repeating: 0, count: 8)
    /// A streamed response's size limit (Lambda quotas: "200 MB for streamed responses").
    public static let maxBytes = 200 * 1024 * 1024

    public struct Prelude: Codable, Sendable, Equatable {
        public var statusCode: Int
        public var headers: [String: String]?
        public var cookies: [String]?

        public init(statusCode: Int, headers: [String: String]? = nil, cookies: [String]? = nil) {
            self.statusCode = statusCode
            self.headers = headers
            self.cookies = cookies
        }
    }

    /// The bytes in hand, or a stream of them.
    public enum Body: Sendable, Equatable {
        case bytes(Data)
        case stream(ResponseBodyStream)

        public var count: Int {
            switch self {
            case .bytes(let data): data.count
            case .stream(let stream): stream.length
            }
        }
    }

    public var prelude: Prelude
    public var body: Body

    public init(prelude: Prelude, body: Body) {
        self.prelude = prelude
        self.body = body
    }

    /// The response of a buffered-format answer: a base64 body is decoded, a text body taken as UTF-8.
    public init(_ response: APIGatewayV2Response) {
        let body: Body
        if let stream = response.bodyStream {
            body = .stream(stream)
        } else if let binary = response.binaryBody {
            body = .bytes(binary)
        } else if let text = response.body {
            body = .bytes(response.isBase64Encoded == true ? (Data(base64Encoded: text) ?? Data()) : Data(text.utf8))
        } else {
            body = .bytes(Data())
        }
        self.init(prelude: Prelude(statusCode: response.statusCode, headers: response.headers, cookies: response.cookies), body: body)
    }

    /// The prelude and the delimiter: what goes out before the first byte of the body.
    public func head() throws -> Data {
        try APIGatewayV2Response.encoder.encode(prelude) + Self.delimiter
    }
}

/// What an invocation answers: the buffered JSON document of the Runtime API's `response`, or a streamed HTTP
/// response.
public enum InvocationOutput: Sendable {
    case buffered(Data)
    case streamed(StreamedResponse)
}
