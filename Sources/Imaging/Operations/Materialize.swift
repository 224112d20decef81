import CVips

/// Renders the pipeline so far into memory. Images are decoded top to bottom in one pass (sequential access,
/// which keeps memory low); rotating or flipping reads them in another order, so the plan puts this step
/// before those, after the resize has made the image small.
struct Materialize: ImageOperation {
    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        // Decoding happens here; `apply` tells damage in the source from other failures.
        try image.apply("decode") { cvips_copy_memory($0, &$1) }
    }
}
