import CVips

/// libvips's unsharp mask on lightness, with its defaults (tuned for screen images).
struct Sharpen: ImageOperation {
    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        let sharpened = try image.apply("sharpen") { cvips_sharpen($0, &$1) }
        // sharpen answers in a 16-bit space for sRGB input; come back to 8-bit sRGB (or grey).
        let space = image.interpretation == VIPS_INTERPRETATION_B_W ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB
        var out = sharpened
        if out.interpretation != space {
            out = try out.apply("colourspace") { cvips_colourspace($0, &$1, space) }
        }
        if vips_image_get_format(out.pointer) != VIPS_FORMAT_UCHAR {
            out = try out.apply("cast") { cvips_cast_uchar($0, &$1) }
        }
        return out
    }
}
