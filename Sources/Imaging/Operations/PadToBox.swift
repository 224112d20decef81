import CVips

/// `contain`: centres the fitted image on a canvas of exactly the box, transparent where the output format
/// has alpha and white elsewhere.
struct PadToBox: ImageOperation {
    var width: Int
    var height: Int

    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        guard image.width != width || image.height != height else { return image }
        let (prepared, background) = try context.prepareForCanvas(image)
        let x = Int32((width - prepared.width) / 2), y = Int32((height - prepared.height) / 2)
        return try prepared.apply("pad") {
            cvips_embed($0, &$1, x, y, Int32(width), Int32(height), background, Int32(background.count))
        }
    }
}
