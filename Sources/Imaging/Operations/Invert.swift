import CVips

/// The negative: every colour value v becomes 255 - v; transparency is left alone.
struct Invert: ImageOperation {
    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        try image.transformingColour { colour throws(ImagingError) in
            try colour.apply("invert") { cvips_invert($0, &$1) }
        }
    }
}
