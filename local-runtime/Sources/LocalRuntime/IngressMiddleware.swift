import Hummingbird
import Logging

/// Around every ingress request: one log line, request metrics by route template, and router errors
/// (unknown route, body too large) answered as problem documents.
struct IngressMiddleware: RouterMiddleware {
    typealias Context = IngressContext
    let metrics: RuntimeMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
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
}
