import CVips

/// Left to right (first column becomes the last).
struct Mirror: ImageOperation {
    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        try image.apply("mirror") { cvips_flip($0, &$1, VIPS_DIRECTION_HORIZONTAL) }
    }
}
