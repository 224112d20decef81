import CVips

extension VipsImageRef {
    /// Runs `body` on the colour bands only and puts the alpha band back, for filters that must not touch
    /// transparency (sepia, invert).
    func transformingColour(_ body: (VipsImageRef) throws(ImagingError) -> VipsImageRef) throws(ImagingError) -> VipsImageRef {
        guard hasAlpha else { return try body(self) }
        let colourCount = Int32(bands - 1)
        let colour = try apply("split colour") { cvips_extract_band($0, &$1, 0, colourCount) }
        let alpha = try apply("split alpha") { cvips_extract_band($0, &$1, colourCount, 1) }
        let changed = try body(colour)
        return try changed.apply("join alpha") { cvips_bandjoin2($0, alpha.pointer, &$1) }
    }

    /// The image as three-band sRGB (greyscale expanded), alpha kept.
    func asSRGB() throws(ImagingError) -> VipsImageRef {
        guard interpretation != VIPS_INTERPRETATION_sRGB || bands < 3 else { return self }
        return try apply("to sRGB") { cvips_colourspace($0, &$1, VIPS_INTERPRETATION_sRGB) }
    }
}
