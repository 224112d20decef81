import FunctionRuntime

/// `GET /healthz`: the process is up and answering. Checks nothing else, so it stays cheap and never flaps
/// with a dependency.
public struct HealthFunction: HTTPHandler {
    public init() {}

    public func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        .json(["status": "ok"], headers: ["cache-control": "no-store"])
    }
}
