import FunctionRuntime
import Imaging

/// The domain's one error type: a stable code, a public message, the HTTP status that follows from the code,
/// and the underlying error for logs only. Foreign errors (PostgreSQL, S3, AMQP, libvips) are wrapped once,
/// where they are met.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let badRequest = Code(rawValue: "bad_request")
        public static let unauthorized = Code(rawValue: "unauthorized")
        public static let notFound = Code(rawValue: "not_found")
        public static let usernameTaken = Code(rawValue: "username_taken")
        public static let payloadTooLarge = Code(rawValue: "payload_too_large")
        public static let unsupportedMediaType = Code(rawValue: "unsupported_format")
        public static let validationFailed = Code(rawValue: "validation_failed")
        public static let unavailable = Code(rawValue: "unavailable")
        public static let rateLimited = Code(rawValue: "rate_limited")
        public static let internalError = Code(rawValue: "internal_error")
        /// A presigned upload completed before its bytes were PUT.
        public static let uploadNotReceived = Code(rawValue: "upload_not_received")
        /// A presigned upload that another request is completing right now.
        public static let uploadInProgress = Code(rawValue: "upload_in_progress")
        /// A signed URL whose signature does not match its path and expiry (or is missing a part).
        public static let invalidSignature = Code(rawValue: "invalid_signature")
        /// A signed URL used after its expiry.
        public static let signatureExpired = Code(rawValue: "signature_expired")
        /// A path that exists, asked with a method it does not take (with `Allow`).
        public static let methodNotAllowed = Code(rawValue: "method_not_allowed")
        /// A user who has as many webhooks as one may have.
        public static let webhookLimitReached = Code(rawValue: "webhook_limit_reached")
        /// An original whose bytes the object store no longer has (deleted behind the service's back, a bucket
        /// restored from an older backup): gone until they are restored; listings mark it `bytes_missing`.
        public static let originalMissing = Code(rawValue: "original_missing")
        /// A variant whose bytes the object store no longer has: it is being made again from its original, so
        /// a retry after `Retry-After` finds it queued or ready.
        public static let variantMissing = Code(rawValue: "variant_missing")
        /// An image over the pixel, side or frame limits.
        public static let imageTooLarge = Code(rawValue: "image_too_large")
        /// An image of a known format that does not decode completely.
        public static let corruptImage = Code(rawValue: "corrupt_image")
        /// A variant that could not be made (its `error` says why).
        public static let transformationFailed = Code(rawValue: "transformation_failed")
        /// An API key used for what its scopes do not allow, or for what only a signed-in session may do.
        public static let insufficientScope = Code(rawValue: "insufficient_scope")
        /// An upload or new variant that would take the user's stored bytes past `STORAGE_QUOTA_BYTES`.
        public static let quotaExceeded = Code(rawValue: "quota_exceeded")
        /// A user who has as many API keys as one may have.
        public static let apiKeyLimitReached = Code(rawValue: "api_key_limit_reached")

        /// The status a code answers with.
        var status: (code: Int, title: String) {
            switch self {
            case .badRequest: (400, "Bad Request")
            case .unauthorized: (401, "Unauthorized")
            case .invalidSignature, .signatureExpired, .insufficientScope, .quotaExceeded: (403, "Forbidden")
            case .notFound: (404, "Not Found")
            case .methodNotAllowed: (405, "Method Not Allowed")
            case .usernameTaken, .uploadNotReceived, .uploadInProgress, .webhookLimitReached, .apiKeyLimitReached: (409, "Conflict")
            case .originalMissing: (410, "Gone")
            case .payloadTooLarge: (413, "Content Too Large")
            case .unsupportedMediaType: (415, "Unsupported Media Type")
            case .unavailable, .variantMissing: (503, "Service Unavailable")
            case .rateLimited: (429, "Too Many Requests")
            case .internalError: (500, "Internal Server Error")
            default: (422, "Unprocessable Content")
            }
        }
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?
    /// Field errors and extra headers live in one shared box: the Swift 6.3 optimizer crashed (signal 11,
    /// "while splitting coroutine") on async functions that throw this type once it grew by one more stored
    /// property, so the struct keeps its earlier size.
    private var extras: Extras?

    private final class Extras: Sendable {
        let fieldErrors: [Problem.FieldError]?
        let headers: [String: String]
        init(fieldErrors: [Problem.FieldError]?, headers: [String: String]) {
            self.fieldErrors = fieldErrors
            self.headers = headers
        }
    }

    /// Every bad field of a validation failure, each at its path.
    public var fieldErrors: [Problem.FieldError]? {
        get { extras?.fieldErrors }
        set { extras = Extras(fieldErrors: newValue, headers: headers) }
    }

    /// Headers the answer carries besides the defaults of its code (a 429's `Retry-After` and `RateLimit`).
    public var headers: [String: String] {
        get { extras?.headers ?? [:] }
        set { extras = Extras(fieldErrors: fieldErrors, headers: newValue) }
    }

    public init(
        _ code: Code, _ message: String, fieldErrors: [Problem.FieldError]? = nil, underlying: (any Error)? = nil,
        headers: [String: String] = [:]
    ) {
        self.code = code
        self.message = message
        self.underlying = underlying
        self.extras = fieldErrors == nil && headers.isEmpty ? nil : Extras(fieldErrors: fieldErrors, headers: headers)
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// Every bad field of a request body, each at its path.
    public static func validation(_ errors: [Problem.FieldError]) -> APIError {
        APIError(.validationFailed, "the request has invalid fields", fieldErrors: errors)
    }

    /// The problem document and headers for this error.
    public var response: APIGatewayV2Response {
        let (status, title) = code.status
        var headers = self.headers
        if code == .unauthorized { headers["www-authenticate"] = #"Bearer realm="imagefunctions""# }
        if code == .unavailable, headers["retry-after"] == nil { headers["retry-after"] = "5" }
        return Problem(status: status, code: code.rawValue, title: title, detail: message, errors: fieldErrors)
            .response(headers: headers)
    }
}
