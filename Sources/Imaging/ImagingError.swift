/// Why an image could not be read or made. `code` is Imaging's stable code (a variant that failed keeps it as
/// its `error.code`; the HTTP edge decides what an upload's answer is); `message` is safe to show (it never
/// carries libvips's own text, which is kept in `detail` for logs).
public struct ImagingError: Error, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// No bytes at all.
        public static let emptyImage = Code(rawValue: "empty_image")
        /// Not an image, or a format we do not accept.
        public static let unsupportedFormat = Code(rawValue: "unsupported_format")
        /// Over the byte limit.
        public static let payloadTooLarge = Code(rawValue: "payload_too_large")
        /// Over the pixel, side or frame limits.
        public static let imageTooLarge = Code(rawValue: "image_too_large")
        /// A known format that does not decode completely.
        public static let corruptImage = Code(rawValue: "corrupt_image")
        /// The transformations do not fit this image (a crop outside it).
        public static let invalidTransformation = Code(rawValue: "invalid_transformation")
        /// libvips failed on an image that decoded; a bug or a resource limit, not the client's doing.
        public static let transformationFailed = Code(rawValue: "transformation_failed")
    }

    public var code: Code
    public var message: String
    /// libvips's error text, for logs only.
    public var detail: String?

    public init(_ code: Code, _ message: String, detail: String? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    public var description: String { "\(code): \(message)" }
}

extension ImagingError {
    /// A libvips failure inside a step. Whether the source was damaged is decided afterwards by decoding it
    /// again (`ImageProcessor`), not from libvips's text, which other threads may have replaced.
    static func fromVips(_ code: Code, what: String, detail: String) -> ImagingError {
        ImagingError(code, "the image could not be processed (\(what))", detail: detail)
    }
}
