import CVips

/// Cuts out a rectangle. The request was checked against the upright image's size when it was made; this
/// checks again, since the source decides.
struct Crop: ImageOperation {
    var crop: TransformationSpec.Crop

    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        guard crop.x + crop.width <= image.width, crop.y + crop.height <= image.height else {
            throw ImagingError(
                .invalidTransformation,
                "the crop \(crop.width)x\(crop.height) at (\(crop.x), \(crop.y)) is outside the \(image.width)x\(image.height) image"
            )
        }
        return try image.apply("crop") { cvips_extract_area($0, &$1, Int32(crop.x), Int32(crop.y), Int32(crop.width), Int32(crop.height)) }
    }
}
