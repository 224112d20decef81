import CVips

/// One grey band (alpha kept); every decoder shows it with equal red, green and blue.
struct Grayscale: ImageOperation {
    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        guard image.interpretation != VIPS_INTERPRETATION_B_W else { return image }
        return try image.apply("grayscale") { cvips_colourspace($0, &$1, VIPS_INTERPRETATION_B_W) }
    }
}
