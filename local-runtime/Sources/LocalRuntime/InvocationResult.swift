import FunctionRuntime
import Foundation

/// How one invocation ended, as local-runtime saw it from outside the worker.
enum InvocationResult: Sendable {
    /// The function answered; the bytes it posted to `/response`.
    case success(Data)
    /// The function streams its answer: the prelude has come, the body is on its way.
    case streamed(ResponseStream)
    /// The function posted to `/error`.
    case functionError(ErrorReport)
    /// The worker could not start (it posted to `/init/error` or exited before asking for work).
    case initFailed(ErrorReport)
    /// The function's response was over the payload limit (Lambda's `Function.ResponseSizeTooLarge`).
    case responseTooLarge
    /// The worker process died during the invocation.
    case crashed
    /// The deadline passed; the worker was killed.
    case timedOut
    /// No worker became free in time, or too many invocations were already waiting.
    case overloaded

    var outcome: String {
        switch self {
        case .success, .streamed: "success"
        case .functionError: "function_error"
        case .initFailed: "init_failed"
        case .responseTooLarge: "response_too_large"
        case .crashed: "crashed"
        case .timedOut: "timed_out"
        case .overloaded: "overloaded"
        }
    }

    var isSuccess: Bool {
        switch self {
        case .success, .streamed: true
        default: false
        }
    }
}
