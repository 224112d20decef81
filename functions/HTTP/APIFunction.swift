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

    /// How long before the deadline an unfinished request is answered with a 503 anyway: inside the runtime
    /// loop's own margin, so the client gets the contract's answer rather than a failed invocation.
    static var answerMargin: Duration { .milliseconds(1500) }

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        do {
            return try await withDeadline(context.budget(keeping: Self.answerMargin)) { [function] in
                try await function.handle(request, context: context)
            }
        } catch let error as RuntimeError where error.code == .deadlineExceeded {
            // A dependency that does not answer (PostgreSQL stopped: the pool waits for a connection; an S3
            // server that hangs) is the service being unavailable: a 503 the client may retry, from a worker
            // that lives on, not a 504 from one killed at its timeout.
            context.logger.error("request failed", metadata: ["error.code": "unavailable", "error.detail": "a dependency did not answer before the deadline"])
            return APIError(.unavailable, "the service did not answer in time; try again shortly").response
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
