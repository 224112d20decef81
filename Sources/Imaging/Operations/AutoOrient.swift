import CVips

/// Applies the EXIF orientation, so the image is upright before anything else looks at it.
struct AutoOrient: ImageOperation {
    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        try image.apply("autorotate") { cvips_autorot($0, &$1) }
    }
}
