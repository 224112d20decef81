/// Header names of the AWS Lambda Runtime API, in one place.
public enum RuntimeAPIHeader {
    public static let requestID = "Lambda-Runtime-Aws-Request-Id"
    public static let deadlineMs = "Lambda-Runtime-Deadline-Ms"
    public static let invokedFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
    public static let traceID = "Lambda-Runtime-Trace-Id"
    public static let clientContext = "Lambda-Runtime-Client-Context"
    public static let cognitoIdentity = "Lambda-Runtime-Cognito-Identity"
    public static let errorType = "Lambda-Runtime-Function-Error-Type"
    /// A streamed response's error after its first byte, base64 of the error JSON, sent as a trailer.
    public static let errorBody = "Lambda-Runtime-Function-Error-Body"
    /// `streaming` on a `response` POST whose body is sent as it is made (chunked).
    public static let responseMode = "Lambda-Runtime-Function-Response-Mode"
}

/// Paths of the Runtime API, relative to `http://$AWS_LAMBDA_RUNTIME_API`.
public enum RuntimeAPIPath {
    public static let version = "2018-06-01"
    public static let next = "/\(version)/runtime/invocation/next"
    public static let initError = "/\(version)/runtime/init/error"
    public static func response(_ requestID: String) -> String { "/\(version)/runtime/invocation/\(requestID)/response" }
    public static func error(_ requestID: String) -> String { "/\(version)/runtime/invocation/\(requestID)/error" }
}
