import CVips
import Foundation

/// An uploaded image's bytes, sniffed and checked against the limits from its header alone: no pixel is
/// decoded until the pipeline asks for it. Holds a copy of the bytes inside libvips, so every image made from
/// it stays valid however long it lives.
public final class ImageSource: @unchecked Sendable {
    public let format: ImageFormat
    /// Of the first frame as stored (before EXIF orientation).
    public let width: Int
    public let height: Int
    /// Frames of an animation or pages of a TIFF; 1 for a still image.
    public let frames: Int
    /// EXIF orientation, 1 (upright) to 8.
    public let orientation: Int
    /// A JPEG's chroma subsampling as libvips reports it (`4:2:0`, `4:4:4`, ...); nil for other formats.
    public let chromaSubsampling: String?
    public let byteCount: Int
    /// Whether the bytes must be re-encoded before they are stored as an original: a rotating EXIF
    /// orientation, metadata (EXIF, XMP, IPTC, an ICC profile), or pixels that are not 8-bit sRGB or grey.
    public let needsNormalizing: Bool
    /// Whether a JPEG's pixels are what a stored original holds already: one frame of 8-bit YCbCr or grey,
    /// with no ICC profile or an sRGB one. Then libjpeg-turbo's lossless transform can make its master.
    let allowsLosslessMaster: Bool

    let source: UnsafeMutablePointer<VipsSource>
    /// The loader options every open of this source uses: strict about damage, first frame only.
    static let loadOptions = "fail_on=error"

    /// Sniffs and checks `bytes`. Throws `bad_request` for nothing, `payload_too_large` over the byte limit,
    /// `unsupported_format` for anything but our formats (SVG, PDF, MATLAB, text, ...), `image_too_large` over
    /// the pixel, side or frame limits, and `corrupt_image` for a header that does not parse.
    /// Any contiguous bytes (`[UInt8]`, `Data`): libvips takes its own copy, so no other is made on the way (a
    /// 20 MP photo's 4.4 MB less at a worker's peak).
    public init(bytes: some ContiguousBytes, limits: ImageLimits = .default) throws(ImagingError) {
        try Vips.setUp()
        let count = bytes.withUnsafeBytes { $0.count }
        guard count > 0 else { throw ImagingError(.emptyImage, "the image is empty") }
        guard count <= limits.maxBytes else {
            throw ImagingError(.payloadTooLarge, "the image is over the \(limits.maxBytes / 1_000_000) MB limit")
        }
        // Sniff by content with the loaders libvips has, then allow only ours.
        guard let loaderName = bytes.withUnsafeBytes({ vips_foreign_find_load_buffer($0.baseAddress, $0.count) }),
            let sniffed = ImageFormat.fromLoader(String(cString: loaderName))
        else {
            Vips.takeError()
            throw ImagingError(.unsupportedFormat, "the file is not a JPEG, PNG, WebP, GIF, AVIF, HEIF or TIFF image")
        }
        if sniffed == .gif { try GIFStructure.verify(bytes.withUnsafeBytes { [UInt8]($0) }) }
        guard let source = bytes.withUnsafeBytes({ cvips_source_new_copying($0.baseAddress, $0.count) }) else {
            throw ImagingError(.transformationFailed, "the image could not be read", detail: Vips.takeError())
        }
        self.source = source
        self.byteCount = count
        guard let header = cvips_image_new_from_source(source, Self.loadOptions) else {
            let detail = Vips.takeError()
            cvips_unref_object(UnsafeMutableRawPointer(source))
            throw ImagingError(.corruptImage, "the image is damaged and cannot be read", detail: detail)
        }
        let image = VipsImageRef(header)
        // HEIF and AVIF share a loader; the header's compression tells them apart.
        var format = sniffed
        if sniffed == .heif, image.string("heif-compression") == "av1" { format = .avif }
        self.format = format
        self.width = image.width
        let pageHeight = image.int("page-height") ?? image.height
        self.height = pageHeight
        self.frames = max(image.int("n-pages") ?? 1, 1)
        self.orientation = min(max(image.int("orientation") ?? 1, 1), 8)
        self.chromaSubsampling = image.string("jpeg-chroma-subsample")
        let metadata = ["exif-data", "xmp-data", "iptc-data", "icc-profile-data"].contains { image.hasField($0) }
        let plainPixels = vips_image_get_format(image.pointer) == VIPS_FORMAT_UCHAR
            && (image.interpretation == VIPS_INTERPRETATION_sRGB || image.interpretation == VIPS_INTERPRETATION_B_W)
        // An animated GIF or WebP is stored with all its frames; other multi-page files keep the first page.
        self.needsNormalizing = orientation != 1 || metadata || !plainPixels || (frames > 1 && !format.animates)
        // The profile is read (copied) only for a JPEG that could otherwise have a lossless master: every
        // variant opens its source here too, and needs none of this.
        self.allowsLosslessMaster = format == .jpeg && frames == 1 && plainPixels
            && (image.blob("icc-profile-data").map(ICCProfile.describesSRGB) ?? true)

        guard width <= limits.maxSide, height <= limits.maxSide else {
            throw ImagingError(.imageTooLarge, "the image is \(width)x\(height); at most \(limits.maxSide) pixels a side are accepted")
        }
        guard width * height * frames <= limits.maxPixels else {
            throw ImagingError(
                .imageTooLarge,
                "the image has \(width * height * frames) pixels\(frames > 1 ? " in \(frames) frames" : ""); at most \(limits.maxPixels) are accepted"
            )
        }
    }

    deinit { cvips_unref_object(UnsafeMutableRawPointer(source)) }

    /// Width and height once EXIF orientation is applied (orientations 5 to 8 swap them).
    public var orientedSize: (width: Int, height: Int) {
        orientation >= 5 ? (height, width) : (width, height)
    }

    /// Loads and resizes in one go (shrink-on-load for JPEG and WebP), applying EXIF orientation. The loader
    /// options go in `option_string` too: libvips 8.14's thumbnail does not pass its own `fail_on` on.
    func thumbnail(width: Int32, height: Int32, size: VipsSize, crop: VipsInteresting) -> VipsImageRef? {
        var out: UnsafeMutablePointer<CVips.VipsImage>?
        guard cvips_thumbnail_source(source, &out, width, height, size, crop, Self.loadOptions, VIPS_FAIL_ON_ERROR) == 0, let out else { return nil }
        return VipsImageRef(out)
    }

    /// Decodes the whole first frame once, without keeping it: throws `corrupt_image` for a file that is
    /// truncated or damaged past its header. For originals stored as uploaded.
    public func verifyDecodes() throws(ImagingError) {
        // Every frame of an animation, as every one is stored and transformed.
        let image = try open(extraOptions: isAnimation ? "access=sequential,n=-1" : "access=sequential")
        guard cvips_decode_all(image.pointer) == 0 else {
            throw ImagingError(.corruptImage, "the image is damaged and cannot be read", detail: Vips.takeError())
        }
    }

    /// An animated GIF or WebP: its frames are kept through transformations into GIF or WebP.
    public var isAnimation: Bool { frames > 1 && format.animates }

    /// Opens the first frame for decoding, sequentially.
    func open(extraOptions: String = "") throws(ImagingError) -> VipsImageRef {
        let options = extraOptions.isEmpty ? Self.loadOptions : "\(Self.loadOptions),\(extraOptions)"
        guard let image = cvips_image_new_from_source(source, options) else {
            throw ImagingError(.corruptImage, "the image is damaged and cannot be read", detail: Vips.takeError())
        }
        return VipsImageRef(image)
    }
}
