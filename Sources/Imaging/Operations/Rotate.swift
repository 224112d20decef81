import CVips

/// Rotates clockwise. Multiples of 90 are exact pixel moves; other angles enlarge the canvas to hold the whole
/// image, the new corners transparent where the output has alpha, else white.
struct Rotate: ImageOperation {
    var degrees: Double

    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        switch degrees {
        case 90: return try image.apply("rotate") { cvips_rot($0, &$1, VIPS_ANGLE_D90) }
        case 180: return try image.apply("rotate") { cvips_rot($0, &$1, VIPS_ANGLE_D180) }
        case 270: return try image.apply("rotate") { cvips_rot($0, &$1, VIPS_ANGLE_D270) }
        default:
            let (prepared, background) = try context.prepareForCanvas(image)
            return try prepared.apply("rotate") { cvips_rotate($0, &$1, degrees, background, Int32(background.count)) }
        }
    }
}
