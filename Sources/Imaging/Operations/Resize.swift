import CVips

/// Resizes an image already in memory or already cropped (libvips's thumbnail of an image: block shrink, then
/// Lanczos). When nothing precedes the resize, the plan resizes while loading instead (`ImageSource`).
struct Resize: ImageOperation {
    var resize: TransformationSpec.Resize

    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        let p = Self.thumbnailParameters(resize, from: (image.width, image.height))
        return try image.apply("resize") { cvips_thumbnail_image($0, &$1, p.width, p.height, p.size, p.crop) }
    }

    /// libvips thumbnail arguments for a fit: `fill` forces the size, `cover` fills and crops where its gravity
    /// says, `inside` and `contain` fit inside (contain is padded afterwards by `PadToBox`). A missing side is
    /// unbounded, so the aspect ratio decides it. `size` is the (upright) image being resized.
    static func thumbnailParameters(
        _ r: TransformationSpec.Resize, from size: (width: Int, height: Int)
    ) -> (width: Int32, height: Int32, size: VipsSize, crop: VipsInteresting) {
        let unbounded: Int32 = 10_000_000
        let width = r.width.map(Int32.init) ?? unbounded
        let height = r.height.map(Int32.init) ?? unbounded
        switch r.fit {
        case .fill: return (width, height, VIPS_SIZE_FORCE, VIPS_INTERESTING_NONE)
        case .cover: return (width, height, VIPS_SIZE_BOTH, coverCrop(r, from: size))
        case .inside, .contain: return (width, height, VIPS_SIZE_BOTH, VIPS_INTERESTING_NONE)
        }
    }

    /// Where a cover crop goes. A cover scales the image until it fills the box, so only one axis has pixels
    /// to spare: a compass gravity keeps that axis's low end (north, west), high end (south, east) or middle.
    /// libvips says low and high for both axes at once, which is right because the other axis is not cut.
    static func coverCrop(_ r: TransformationSpec.Resize, from size: (width: Int, height: Int)) -> VipsInteresting {
        let low = VIPS_INTERESTING_LOW, high = VIPS_INTERESTING_HIGH, centre = VIPS_INTERESTING_CENTRE
        guard let w = r.width, let h = r.height, size.width > 0, size.height > 0 else { return centre }
        // Scaled to cover, the image is cut vertically when the width's scale is the larger one.
        let cutsVertically = Double(w) / Double(size.width) >= Double(h) / Double(size.height)
        switch r.gravity {
        case .centre: return centre
        case .smart: return VIPS_INTERESTING_ATTENTION
        case .entropy: return VIPS_INTERESTING_ENTROPY
        case .north: return cutsVertically ? low : centre
        case .south: return cutsVertically ? high : centre
        case .west: return cutsVertically ? centre : low
        case .east: return cutsVertically ? centre : high
        case .northwest: return low
        case .southeast: return high
        // Opposite ends on the two axes: the axis that is cut decides.
        case .northeast: return cutsVertically ? low : high
        case .southwest: return cutsVertically ? high : low
        }
    }
}
