import Imaging
import Messaging
import Storage

/// An error the API answers as a problem document. Each module's error type says here, once, what a client
/// sees of it (a stable code, the status that follows, a safe message); `APIFunctionAdapter` catches them in
/// one place. The module's own text and the foreign error underneath stay in logs.
protocol ProblemRendering: Error {
    var apiError: APIError { get }
}

extension Error {
    /// The answer this error makes, when it is one the API renders; nil for anything else (a 500).
    var asAPIError: APIError? { (self as? any ProblemRendering)?.apiError }
}

extension APIError: ProblemRendering {
    var apiError: APIError { self }
}

extension StorageError: ProblemRendering {
    /// PostgreSQL or the object store failing is never the client's fault: 503 with `Retry-After`.
    var apiError: APIError { APIError(.unavailable, "the service is unavailable; try again shortly", underlying: self) }
}

extension MessagingError: ProblemRendering {
    var apiError: APIError { APIError(.unavailable, "the service is unavailable; try again shortly", underlying: self) }
}

extension ImagingError: ProblemRendering {
    /// An image refused by Imaging, as the API answers it; a failure of libvips itself is a 500 whose detail
    /// stays in the logs.
    var apiError: APIError {
        switch code {
        case .emptyImage: APIError(.badRequest, message)
        case .unsupportedFormat: APIError(.unsupportedMediaType, message)
        case .payloadTooLarge: APIError(.payloadTooLarge, message)
        case .imageTooLarge: APIError(.imageTooLarge, message)
        case .corruptImage: APIError(.corruptImage, message)
        case .invalidTransformation: APIError(.invalidTransformation, message)
        default: APIError(.internalError, "the image could not be processed", underlying: self)
        }
    }
}

extension TransformationErrors: ProblemRendering {
    var apiError: APIError { APIError(self, "the transformations are not valid") }
}
