import CVips

/// Resizes an image already in memory or already cropped (libvips's thumbnail of an image: block shrink, then
/// Lanczos). When nothing precedes the resize, the plan resizes while loading instead (`ImageSource`).
struct Resize: ImageOperation {
    var resize: TransformationSpec.Resize

    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        let p = Self.thumbnailParameters(resize)
        return try image.apply("resize") { cvips_thumbnail_image($0, &$1, p.width, p.height, p.size, p.crop) }
    }

    /// libvips thumbnail arguments for a fit: `fill` forces the size, `cover` fills and crops around the centre,
    /// `inside` and `contain` fit inside (contain is padded afterwards by `PadToBox`). A missing side is
    /// unbounded, so the aspect ratio decides it.
    static func thumbnailParameters(_ r: TransformationSpec.Resize) -> (width: Int32, height: Int32, size: VipsSize, crop: VipsInteresting) {
        let unbounded: Int32 = 10_000_000
        let width = r.width.map(Int32.init) ?? unbounded
        let height = r.height.map(Int32.init) ?? unbounded
        switch r.fit {
        case .fill: return (width, height, VIPS_SIZE_FORCE, VIPS_INTERESTING_NONE)
        case .cover: return (width, height, VIPS_SIZE_BOTH, VIPS_INTERESTING_CENTRE)
        case .inside, .contain: return (width, height, VIPS_SIZE_BOTH, VIPS_INTERESTING_NONE)
        }
    }
}
