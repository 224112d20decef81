import FunctionRuntime

/// `GET /openapi.json`: the API's OpenAPI document.
struct OpenAPIFunction: HTTPHandler {
    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        APIGatewayV2Response(
            statusCode: 200, headers: ["content-type": "application/json", "cache-control": "public, max-age=300"],
            body: OpenAPIDocument.json
        )
    }
}
