import Foundation
import FunctionRuntime

/// How long a request may wait for a variant: `Prefer: wait` (RFC 7240) on `POST /images/{id}/transform`, and
/// the fixed wait of a URL transformation, both cut to end before the function's deadline.
enum WaitPreference {
    /// The longest `Prefer: wait` asked for, as the contract says. The wait itself also ends 2 s before the
    /// function's deadline (`waitLimit`): its 29 s timeout is inside API Gateway's 30 s, so the longest wait
    /// is about 27 s.
    static let maxWaitSeconds = 30
    /// A bare `Prefer: wait`, without a number of seconds.
    static let defaultWaitSeconds = 10

    /// `Prefer: wait=N` (RFC 7240), capped at `maxWaitSeconds`; `Prefer: wait` alone is `defaultWaitSeconds`.
    /// nil without a wait preference, or with a value that is not a number of seconds.
    static func preferredWait(_ request: APIGatewayV2Request) -> Int? {
        guard let prefer = request.header("prefer") else { return nil }
        for token in prefer.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            let preference = token.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if preference == "wait" { return defaultWaitSeconds }
            if preference.hasPrefix("wait=") {
                let value = preference.dropFirst(5).trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
                return Int(value).map { min(max($0, 0), maxWaitSeconds) }
            }
        }
        return nil
    }

    /// The wait asked for, cut to end 2 s before the invocation's deadline.
    static func waitLimit(_ seconds: Int, context: InvocationContext) -> Duration {
        max(.zero, min(.seconds(seconds), context.remainingTime - .seconds(2)))
    }
}
