import Foundation
import HTTPTypes
import Hummingbird

/// Errors that local-runtime itself answers (no function was reached, or the function did not answer), as
/// RFC 9457 problem documents with the API's stable codes.
enum GatewayProblem {
    static func response(status: HTTPResponse.Status, code: String, detail: String, retryAfter: Int? = nil) -> Response {
        let body: [String: Any] = [
            "type": "https://imagefunctions.dev/problems/\(code.replacingOccurrences(of: "_", with: "-"))",
            "title": status.reasonPhrase,
            "status": status.code,
            "detail": detail,
            "code": code,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// 413 for a body or event over a limit, pointing at the route that takes large images.
    static func payloadTooLarge(_ detail: String) -> Response {
        response(
            status: .contentTooLarge, code: "payload_too_large",
            detail: detail + " Upload large images with POST /images/uploads (a presigned upload straight to the object store)."
        )
    }

    /// The answer for an invocation that did not succeed.
    static func response(for result: InvocationResult) -> Response? {
        switch result {
        case .success, .streamed:
            return nil
        case .functionError, .initFailed:
            return response(status: .badGateway, code: "function_failed", detail: "The function failed to answer.")
        case .responseTooLarge:
            // API Gateway answers a 500 here; 502 with a code of its own says what happened.
            return response(
                status: .badGateway, code: "function_response_too_large",
                detail: "The function's response was over the 6 MB Lambda payload limit."
            )
        case .crashed:
            return response(status: .badGateway, code: "function_crashed", detail: "The function's process died while answering.")
        case .timedOut:
            return response(status: .gatewayTimeout, code: "function_timeout", detail: "The function did not answer in time.")
        case .overloaded:
            return response(status: .serviceUnavailable, code: "unavailable", detail: "Every worker is busy; try again shortly.", retryAfter: 1)
        }
    }
}
