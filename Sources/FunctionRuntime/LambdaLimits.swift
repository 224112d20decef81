/// AWS's documented limits around a function, in one place: local-runtime enforces them by default (so a
/// request that would fail in the cloud fails here too), and the functions size their answers by them.
public enum LambdaLimits {
    /// A synchronous invocation's event, and its response, at most 6 MB (Lambda quotas: "Invocation payload
    /// (request and response) 6 MB each for synchronous").
    public static let maxPayloadBytes = 6_291_456
    /// An HTTP API request body, at most 10 MB (API Gateway quotas: "Maximum payload size 10 MB").
    public static let maxRequestBodyBytes = 10_485_760
    /// API Gateway's integration timeout for HTTP APIs: the client gets an answer by then, whatever the
    /// function's own timeout. Functions behind routes declare at most 29 s so that they end first.
    public static let integrationTimeoutSeconds = 30
    /// The largest function timeout a route may have, one second under the integration timeout.
    public static let maxRouteTimeoutSeconds = integrationTimeoutSeconds - 1
    /// The largest body a function answers inline: its base64 form plus room for the status, headers and
    /// JSON framing (16 KiB) must fit in `maxPayloadBytes`. Larger bytes are answered with a redirect to the
    /// object store.
    public static let maxInlineResponseBytes = (maxPayloadBytes - 16_384) / 4 * 3
}
