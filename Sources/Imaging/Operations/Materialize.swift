import CVips

/// Renders the pipeline so far into memory. Images are decoded top to bottom in one pass (sequential access,
/// which keeps memory low); rotating or flipping reads them in another order, so the plan puts this step
/// before those, after the resize has made the image small.
struct Materialize: ImageOperation {
    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        do {
            return try image.apply("decode", failure: .corruptImage) { cvips_copy_memory($0, &$1) }
        } catch {
            // Decoding happens here; libvips's text says whether the source was damaged.
            if ImageEncoder.looksLikeDamage(error.detail ?? "") { throw ImagingError(.corruptImage, "the image is damaged and cannot be read", detail: error.detail) }
            throw ImagingError(.transformationFailed, "the image could not be processed", detail: error.detail)
        }
    }
}
