import FunctionRuntime

/// The API's `$default` route: every request that no route of the table takes, in AWS as in local-runtime. A
/// path that some route has, asked with another method, is a 405 `method_not_allowed` with `Allow` (RFC 9110
/// §15.5.6); `OPTIONS` on such a path is a 204 with `Allow`. Anything else is a 404 `not_found`. CORS
/// preflights never reach it: the gateway answers those (see `GatewayCORS`).
struct FallbackFunction: APIFunction {
    /// The table's routes, the fallback's own excepted.
    let routes: [HTTPRoute]

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let method = request.requestContext.http.method.uppercased()
        let path = request.requestContext.http.path
        let methods = Set(routes.filter { Self.matches($0.path, path) }.map(\.method))
        guard !methods.isEmpty else { throw APIError(.notFound, "no route matches this path") }
        let allow = (methods.sorted() + ["OPTIONS"]).joined(separator: ", ")
        if method == "OPTIONS" { return APIGatewayV2Response(statusCode: 204, headers: ["allow": allow]) }
        throw APIError(.methodNotAllowed, "this path does not take \(method); it takes \(allow)", headers: ["allow": allow])
    }

    /// Whether a route template (`/images/{id}/t/{options}`) takes `path`: segment by segment, a `{name}` taking
    /// any one non-empty segment. `/users` and `/users/` are different paths, as in API Gateway.
    static func matches(_ template: String, _ path: String) -> Bool {
        let wanted = template.split(separator: "/", omittingEmptySubsequences: false)
        let given = path.split(separator: "/", omittingEmptySubsequences: false)
        guard wanted.count == given.count else { return false }
        return zip(wanted, given).allSatisfy { pattern, segment in
            pattern.hasPrefix("{") && pattern.hasSuffix("}") ? !segment.isEmpty : pattern == segment
        }
    }
}
