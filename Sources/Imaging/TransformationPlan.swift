import CVips

/// From a spec to the ordered steps that make the variant. The order is API.md's and fixed, whatever order the
/// request's keys came in: EXIF orientation, crop, resize, rotate, flip, mirror, filters, watermark, encoding.
struct TransformationPlan {
    /// How the pixels are loaded: a plain open, or a resize done while loading (shrink-on-load).
    enum Load {
        case open
        case resizeWhileLoading(TransformationSpec.Resize)
    }

    var load: Load
    var steps: [any ImageOperation]
    var encoder: ImageEncoder
    var outputFormat: ImageFormat

    init(spec: TransformationSpec, source: ImageSource) {
        outputFormat = spec.outputFormat(source: source.format)
        encoder = ImageEncoder(format: outputFormat, quality: spec.quality, compress: spec.compress)
        steps = []
        // Without a crop first, the resize happens while loading: JPEGs and WebPs decode at a fraction of
        // their size, which is most of libvips's speed on large photos. That path also applies EXIF orientation.
        if spec.crop == nil, let resize = spec.resize {
            load = .resizeWhileLoading(resize)
            steps.append(NormalizeColour())
        } else {
            load = .open
            steps.append(AutoOrient())
            steps.append(NormalizeColour())
            if let crop = spec.crop { steps.append(Crop(crop: crop)) }
            if let resize = spec.resize { steps.append(Resize(resize: resize)) }
        }
        // contain: fit inside, then pad to exactly the box.
        if let resize = spec.resize, resize.fit == .contain, let width = resize.width, let height = resize.height {
            steps.append(PadToBox(width: width, height: height))
        }
        if let degrees = spec.rotate { steps.append(Rotate(degrees: degrees)) }
        if spec.flip { steps.append(Flip()) }
        if spec.mirror { steps.append(Mirror()) }
        // Filters in a fixed order: colour first (grey, then sepia on the grey), then blur and sharpen, then invert.
        if spec.filters.grayscale { steps.append(Grayscale()) }
        if spec.filters.sepia { steps.append(Sepia()) }
        if let sigma = spec.filters.blur { steps.append(Blur(sigma: sigma)) }
        if spec.filters.sharpen { steps.append(Sharpen()) }
        if spec.filters.invert { steps.append(Invert()) }
        // The watermark comes after the filters, so it is not blurred, inverted or toned.
        if let watermark = spec.watermark { steps.append(Watermark(watermark: watermark)) }
    }
}
