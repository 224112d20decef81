import CVips

/// Gaussian blur of the given sigma.
struct Blur: ImageOperation {
    var sigma: Double

    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        try image.apply("blur") { cvips_gaussblur($0, &$1, sigma) }
    }
}
