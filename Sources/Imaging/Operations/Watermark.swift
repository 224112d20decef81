import CVips
import Foundation

/// Text drawn in white with a dark outline, about 1/20 of the image height, in a corner or the centre, at the
/// given opacity. Text too wide for the image is set smaller until it fits.
struct Watermark: ImageOperation {
    var watermark: TransformationSpec.Watermark

    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        let base = try image.asSRGB()
        var fontSize = max(8, base.height / 20)
        let margin = max(2, fontSize / 2)
        var mask = try Self.render(watermark.text, size: fontSize)
        let available = max(8, base.width - 2 * margin)
        if mask.width > available {
            fontSize = max(4, fontSize * available / mask.width)
            mask = try Self.render(watermark.text, size: fontSize)
        }
        // The outline: the glyphs' mask grown by a blur, amplified, as the overlay's alpha; the colour is the
        // glyph mask itself (white) over black.
        let pad = max(1, fontSize / 10)
        let black = [0.0]
        let padded = try mask.apply("pad text") {
            cvips_embed($0, &$1, Int32(pad), Int32(pad), Int32(mask.width + 2 * pad), Int32(mask.height + 2 * pad), black, 1)
        }
        let halo = try padded.apply("outline") { cvips_gaussblur($0, &$1, max(0.5, Double(pad) / 2)) }
        let alpha = try halo.apply("outline alpha") { cvips_linear1($0, &$1, 3 * watermark.opacity, 0) }
            .apply("cast") { cvips_cast_uchar($0, &$1) }
        let twoBands = try padded.apply("text colour") { cvips_bandjoin2($0, padded.pointer, &$1) }
        let colour = try twoBands.apply("text colour") { cvips_bandjoin2($0, padded.pointer, &$1) }
        let overlay = try colour.apply("text overlay") { cvips_bandjoin2($0, alpha.pointer, &$1) }
            .apply("sRGB") { cvips_copy_interpretation($0, &$1, VIPS_INTERPRETATION_sRGB) }

        let (x, y) = position(overlay: overlay, in: base, margin: margin)
        let composed = try base.apply("watermark") { cvips_composite2($0, overlay.pointer, &$1, Int32(x), Int32(y)) }
        guard !base.hasAlpha else { return composed }
        // The base was opaque: keep it so (composite adds an alpha band).
        return try composed.apply("drop alpha") { cvips_extract_band($0, &$1, 0, 3) }
    }

    private func position(overlay: VipsImageRef, in base: VipsImageRef, margin: Int) -> (Int, Int) {
        let right = base.width - overlay.width - margin, bottom = base.height - overlay.height - margin
        switch watermark.position {
        case .bottomRight: return (right, bottom)
        case .bottomLeft: return (margin, bottom)
        case .topRight: return (right, margin)
        case .topLeft: return (margin, margin)
        case .center: return ((base.width - overlay.width) / 2, (base.height - overlay.height) / 2)
        }
    }

    /// The text as a one-band mask. vips_text reads Pango markup, so the text is escaped.
    static func render(_ text: String, size: Int) throws(ImagingError) -> VipsImageRef {
        let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        return try VipsImageRef.make("text") { cvips_text(&$0, escaped, "DejaVu Sans Bold \(size)") }
    }
}
