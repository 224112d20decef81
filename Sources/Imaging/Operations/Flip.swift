import CVips

/// Upside down (top row becomes the bottom row).
struct Flip: ImageOperation {
    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        try image.apply("flip") { cvips_flip($0, &$1, VIPS_DIRECTION_VERTICAL) }
    }
}
