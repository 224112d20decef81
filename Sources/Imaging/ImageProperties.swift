import CVips

/// What `GET /images/{id}/metadata` tells of an image beyond its size and format, read from the stored bytes
/// (so nothing that was stripped at upload, EXIF and GPS above all, can come back): alpha, colour space,
/// frames, the EXIF orientation applied at upload, a dominant colour and a BlurHash placeholder.
public struct ImageProperties: Codable, Sendable, Equatable {
    public var hasAlpha: Bool
    /// `srgb` or `grey` for every image the service stores (originals are normalized to 8-bit sRGB or grey).
    public var colorSpace: String
    /// Frames of the upload: an animated GIF or WebP keeps them all; other multi-page files keep the first.
    public var frameCount: Int
    /// The EXIF orientation (1-8) the upload was turned upright by; nil when not known (variants, and
    /// originals analysed after their upload).
    public var orientationApplied: Int?
    /// `#rrggbb`: the mean of the most populous colour cell (16 levels a channel) of a 32 px thumbnail.
    public var dominantColor: String
    /// 4x3 components, of the 32 px thumbnail, alpha flattened onto white.
    public var blurhash: String

    enum CodingKeys: String, CodingKey {
        case hasAlpha = "has_alpha", colorSpace = "color_space", frameCount = "frame_count"
        case orientationApplied = "orientation_applied", dominantColor = "dominant_color", blurhash
    }

    /// Reads the properties of stored bytes: they describe what is stored (a multi-page TIFF is stored as its
    /// first page, so it has one frame). `orientationApplied` is the upload's, when known.
    public static func analyze(_ bytes: [UInt8], orientationApplied: Int? = nil) throws(ImagingError) -> ImageProperties {
        let source = try ImageSource(bytes: bytes)
        let header = try source.open()
        let (rgb, width, height) = try thumbnailRGB(source)
        guard let blurhash = BlurHash.encode(rgb: rgb, width: width, height: height) else {
            throw ImagingError(.transformationFailed, "the placeholder could not be computed")
        }
        return ImageProperties(
            hasAlpha: header.hasAlpha, colorSpace: name(of: header.interpretation), frameCount: source.frames,
            orientationApplied: orientationApplied, dominantColor: dominantColor(rgb), blurhash: blurhash
        )
    }

    /// The image at most 32 px a side, upright, 8-bit sRGB, three bytes a pixel, alpha flattened onto white.
    static func thumbnailRGB(_ source: ImageSource) throws(ImagingError) -> (rgb: [UInt8], width: Int, height: Int) {
        guard var image = source.thumbnail(width: 32, height: 32, size: VIPS_SIZE_BOTH, crop: VIPS_INTERESTING_NONE) else {
            throw ImagingError(.corruptImage, "the image is damaged and cannot be read", detail: Vips.takeError())
        }
        image = try NormalizeColour().apply(to: image, context: RenderContext(outputFormat: .jpeg))
        if image.hasAlpha {
            let white = Array(repeating: 255.0, count: image.bands - 1)
            image = try image.apply("flatten") { cvips_flatten($0, &$1, white, Int32(white.count)) }
        }
        if image.bands < 3 { image = try image.apply("colourspace") { cvips_colourspace($0, &$1, VIPS_INTERPRETATION_sRGB) } }
        if vips_image_get_format(image.pointer) != VIPS_FORMAT_UCHAR { image = try image.apply("cast") { cvips_cast_uchar($0, &$1) } }
        let memory = try image.apply("memory") { cvips_copy_memory($0, &$1) }
        let (width, height, bands) = (memory.width, memory.height, memory.bands)
        guard bands >= 3, let data = vips_image_get_data(memory.pointer) else {
            throw ImagingError(.transformationFailed, "the thumbnail could not be read")
        }
        let all = UnsafeBufferPointer(start: data.assumingMemoryBound(to: UInt8.self), count: width * height * bands)
        var rgb = [UInt8]()
        rgb.reserveCapacity(width * height * 3)
        for pixel in stride(from: 0, to: all.count, by: bands) { rgb.append(contentsOf: all[pixel..<pixel + 3]) }
        return (rgb, width, height)
    }

    static func dominantColor(_ rgb: [UInt8]) -> String {
        var counts = [Int](repeating: 0, count: 4096)
        var sums = [(Int, Int, Int)](repeating: (0, 0, 0), count: 4096)
        for p in stride(from: 0, to: rgb.count - 2, by: 3) {
            let (r, g, b) = (Int(rgb[p]), Int(rgb[p + 1]), Int(rgb[p + 2]))
            let cell = (r >> 4) << 8 | (g >> 4) << 4 | (b >> 4)
            counts[cell] += 1
            sums[cell] = (sums[cell].0 + r, sums[cell].1 + g, sums[cell].2 + b)
        }
        guard let best = counts.indices.max(by: { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }), counts[best] > 0 else {
            return "#000000"
        }
        let n = counts[best]
        let (r, g, b) = ((sums[best].0 + n / 2) / n, (sums[best].1 + n / 2) / n, (sums[best].2 + n / 2) / n)
        return "#" + [r, g, b].map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    static func name(of space: VipsInterpretation) -> String {
        switch space {
        case VIPS_INTERPRETATION_sRGB: "srgb"
        case VIPS_INTERPRETATION_B_W: "grey"
        case VIPS_INTERPRETATION_RGB16: "rgb16"
        case VIPS_INTERPRETATION_GREY16: "grey16"
        case VIPS_INTERPRETATION_CMYK: "cmyk"
        case VIPS_INTERPRETATION_scRGB: "scrgb"
        case VIPS_INTERPRETATION_LAB: "lab"
        default: "other"
        }
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
