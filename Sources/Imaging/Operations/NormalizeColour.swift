import CVips

/// Brings any decoded image to 8-bit sRGB (or 8-bit greyscale), converting through its ICC profile when it has
/// one: CMYK JPEGs, 16-bit PNGs and wide-gamut photos all come out as browsers expect, and no profile other
/// than sRGB survives.
struct NormalizeColour: ImageOperation {
    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        var image = image
        if image.hasField("icc-profile-data") {
            // A broken profile is not worth refusing the image for: fall back to a plain conversion.
            if let converted = try? image.apply("icc", { cvips_icc_to_srgb($0, &$1) }) {
                image = converted
            } else {
                Vips.takeError()
            }
        }
        let space = image.interpretation
        if space != VIPS_INTERPRETATION_sRGB, space != VIPS_INTERPRETATION_B_W {
            image = try image.apply("colourspace") { cvips_colourspace($0, &$1, VIPS_INTERPRETATION_sRGB) }
        }
        if vips_image_get_format(image.pointer) != VIPS_FORMAT_UCHAR {
            // 16-bit sRGB / grey: scale to 8 bits rather than clip.
            let sixteen = image.interpretation == VIPS_INTERPRETATION_RGB16 || image.interpretation == VIPS_INTERPRETATION_GREY16
            if sixteen {
                image = try image.apply("colourspace") {
                    cvips_colourspace($0, &$1, image.bands >= 3 ? VIPS_INTERPRETATION_sRGB : VIPS_INTERPRETATION_B_W)
                }
            }
            image = try image.apply("cast") { cvips_cast_uchar($0, &$1) }
        }
        return image
    }
}
