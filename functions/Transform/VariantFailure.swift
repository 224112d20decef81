import Imaging

/// Why a variant could not be made, as its row keeps it and the API shows it (`error.code`, `error.message`):
/// an imaging refusal keeps Imaging's code (`corrupt_image`, `transformation_failed`, ...); a variant whose
/// original has no bytes says `original_missing`.
struct VariantFailure: Sendable, Equatable {
    var code: String
    var message: String

    init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    init(_ error: ImagingError) { self.init(code: error.code.rawValue, message: error.message) }

    static let originalMissing = VariantFailure(
        code: APIError.Code.originalMissing.rawValue, message: "the original's stored bytes are missing from the object store"
    )
}
