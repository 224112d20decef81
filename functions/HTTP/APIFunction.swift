import FunctionRuntime
import Logging

/// An HTTP function written against the domain: it throws `APIError` for anything a client caused, lets the
/// modules' errors through (each renders itself, `ProblemRendering`), and the adapter answers them as problem
/// documents. Anything else is logged with its detail and answered as a
/// generic 500 (or 503 for an unreachable dependency), so no library message reaches a client.
public protocol APIFunction: Sendable {
    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response
}

struct APIFunctionAdapter<Function: APIFunction>: HTTPHandler {
    let function: Function

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        do {
            return try await function.handle(request, context: context)
        } catch let error as any ProblemRendering {
            let answer = error.apiError
            if answer.code == .internalError || answer.code == .unavailable {
                context.logger.error("request failed", metadata: ["error.code": "\(answer.code.rawValue)", "error.detail": "\(String(reflecting: answer.underlying as Any))"])
            }
            return answer.response
        } catch {
            context.logger.error("request failed", metadata: ["error.detail": "\(String(reflecting: error))"])
            return APIError(.internalError, "the request could not be completed").response
        }
    }
}

/// The invocation handler of a domain function.
func apiHandler<Function: APIFunction>(_ function: Function) -> any InvocationHandler {
    HTTPInvocationHandler(APIFunctionAdapter(function: function))
}
