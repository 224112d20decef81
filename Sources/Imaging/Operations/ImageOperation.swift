import CVips

/// One step of the pipeline. Each step is a small type in its own file; the plan decides which apply.
protocol ImageOperation: Sendable {
    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef
}

/// What steps need to know beyond the image: the format the result will be saved in, which decides whether new
/// canvas (padding, rotation corners) is transparent or white.
struct RenderContext: Sendable {
    var outputFormat: ImageFormat

    /// The image ready for new canvas: with an alpha band when the output keeps alpha, and the background
    /// (transparent there, else white) with one value per band.
    func prepareForCanvas(_ image: VipsImageRef) throws(ImagingError) -> (VipsImageRef, [Double]) {
        var image = image
        if outputFormat.supportsAlpha, !image.hasAlpha {
            image = try image.apply("add alpha") { cvips_addalpha($0, &$1) }
        }
        if image.hasAlpha {
            return (image, Array(repeating: 0, count: image.bands))
        }
        return (image, Array(repeating: 255, count: image.bands))
    }
}
