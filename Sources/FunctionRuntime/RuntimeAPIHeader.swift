/// Header names of the AWS Lambda Runtime API, in one place.
public enum RuntimeAPIHeader {
    public static let requestID = "Lambda-Runtime-Aws-Request-Id"
    public static let deadlineMs = "Lambda-Runtime-Deadline-Ms"
    public static let invokedFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
    public static let traceID = "Lambda-Runtime-Trace-Id"
    public static let clientContext = "Lambda-Runtime-Client-Context"
    public static let cognitoIdentity = "Lambda-Runtime-Cognito-Identity"
    public static let errorType = "Lambda-Runtime-Function-Error-Type"
}

/// Paths of the Runtime API, relative to `http://$AWS_LAMBDA_RUNTIME_API`.
public enum RuntimeAPIPath {
    public static let version = "2018-06-01"
    public static let next = "/\(version)/runtime/invocation/next"
    public static let initError = "/\(version)/runtime/init/error"
    public static func response(_ requestID: String) -> String { "/\(version)/runtime/invocation/\(requestID)/response" }
    public static func error(_ requestID: String) -> String { "/\(version)/runtime/invocation/\(requestID)/error" }
}
