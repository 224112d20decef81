import CVips

/// Warm brown tones: the classic sepia matrix, so a grey pixel comes out with red > green > blue.
struct Sepia: ImageOperation {
    static let matrix: [Double] = [
        0.393, 0.769, 0.189,
        0.349, 0.686, 0.168,
        0.272, 0.534, 0.131,
    ]

    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        try image.asSRGB().transformingColour { colour throws(ImagingError) in
            let toned = try colour.apply("sepia") { cvips_recomb($0, &$1, Self.matrix, 3, 3) }
            // recomb works in float; bright pixels pass 255 and are clipped back to 8 bits.
            let eightBit = try toned.apply("cast") { cvips_cast_uchar($0, &$1) }
            return try eightBit.apply("sRGB") { cvips_copy_interpretation($0, &$1, VIPS_INTERPRETATION_sRGB) }
        }
    }
}
