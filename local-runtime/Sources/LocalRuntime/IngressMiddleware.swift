import FunctionRuntime
import HTTPTypes
import Hummingbird
import Logging

/// Around every ingress request: one log line, request metrics by route template, requests no route takes
/// handed to the `$default` function when there is one, router errors (unknown route, body too large)
/// answered as problem documents, and no body in any answer to HEAD.
struct IngressMiddleware: RouterMiddleware {
    typealias Context = IngressContext
    let metrics: RuntimeMetrics
    let logger: Logger
    /// Invokes the function of API Gateway's `$default` route.
    let fallback: (@Sendable (Request, Context) async throws -> Response)?
    /// API Gateway's CORS configuration: it answers preflights itself and adds the headers for listed origins.
    let cors: GatewayCORS

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let origin = request.headers[.origin]
        let allowed = cors.isEnabled ? cors.allowOrigin(for: origin) : nil
        var response: Response
        if cors.isEnabled, request.method == .options, origin != nil, request.headers[.accessControlRequestMethod] != nil {
            // A preflight: answered here, never by a function; an origin not listed gets no CORS headers.
            response = Response(status: .noContent)
            for (name, value) in allowed.map(cors.preflightHeaders) ?? [] { response.headers[HTTPField.Name(name)!] = value }
        } else {
            response = await answer(request, context: context) {
                do {
                    return try await next(request, context)
                } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
                    guard let fallback else { throw error }
                    return try await fallback(request, context)
                }
            }
            if cors.isEnabled {
                // As API Gateway does with CORS configured: the functions' own CORS headers give way to the policy.
                for name in ["access-control-allow-origin", "access-control-expose-headers"] { response.headers[HTTPField.Name(name)!] = nil }
                for (name, value) in allowed.map(cors.responseHeaders) ?? [] { response.headers[HTTPField.Name(name)!] = value }
            }
        }
        if request.method == .head {
            // The headers of the GET, its length included, and no body (a function's answer has none already).
            // (Setting the body resets Content-Length to the new body's: put the GET's back.)
            let length = response.headers[.contentLength] ?? response.body.contentLength.map(String.init)
            response.body = .init()
            response.headers[.contentLength] = length
        }
        let route = context.endpointPath ?? "unmatched"
        let elapsed = ContinuousClock.now - start
        metrics.requests(route: route, method: request.method.rawValue, status: response.status.code).increment()
        metrics.requestDuration(route: route, method: request.method.rawValue).record(elapsed)
        logger.info(
            "\(request.method) \(request.uri.path) \(response.status.code)",
            metadata: [
                "http.route": "\(route)", "http.status": "\(response.status.code)",
                "duration.ms": "\(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)",
            ]
        )
        return response
    }

    /// The response, or the problem document for what the router or the invocation threw.
    func answer(_ request: Request, context: Context, _ body: () async throws -> Response) async -> Response {
        let response: Response
        do {
            response = try await body()
        } catch let error as HTTPError {
            switch error.status {
            case .notFound:
                response = GatewayProblem.response(status: .notFound, code: "not_found", detail: "No route matches \(request.method) \(request.uri.path).")
            case .contentTooLarge:
                response = GatewayProblem.payloadTooLarge("The request body is over the gateway's limit.")
            case .requestTimeout:
                var timedOut = GatewayProblem.response(status: .requestTimeout, code: "request_timeout", detail: "The request body did not arrive in time.")
                timedOut.headers[.connection] = "close"
                response = timedOut
            case .methodNotAllowed:
                response = GatewayProblem.response(status: .methodNotAllowed, code: "method_not_allowed", detail: "The route does not take \(request.method).")
            default:
                response = GatewayProblem.response(status: error.status, code: "bad_request", detail: "The request could not be read.")
            }
        } catch {
            logger.error("ingress failed", metadata: ["error.message": "\(String(reflecting: error))"])
            response = GatewayProblem.response(status: .badGateway, code: "function_failed", detail: "The request could not be served.")
        }
        return response
    }
}
