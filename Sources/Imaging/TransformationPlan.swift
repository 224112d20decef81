import CVips

/// From a spec to the ordered steps that make the variant. The order is API.md's and fixed, whatever order the
/// request's keys came in: EXIF orientation, crop, resize, rotate, flip, mirror, filters, watermark, encoding.
struct TransformationPlan {
    /// How the pixels are loaded: a plain open (a JPEG possibly already shrunk by its decoder), or libvips's
    /// resize-while-loading.
    enum Load: Equatable {
        case open(jpegShrink: Int)
        case resizeWhileLoading(TransformationSpec.Resize)
        /// Every frame of an animation: the steps run on each frame, and the frames are joined again.
        case allFrames
    }

    var load: Load
    var steps: [any ImageOperation]
    var encoder: ImageEncoder
    var outputFormat: ImageFormat

    init(spec: TransformationSpec, source: ImageSource) {
        outputFormat = spec.outputFormat(source: source.format)
        encoder = ImageEncoder(format: outputFormat, quality: spec.quality, compress: spec.compress)
        steps = []
        if source.isAnimation, spec.animated, outputFormat.animates {
            load = .allFrames
            steps = [AutoOrient(), NormalizeColour()] + Self.operations(of: spec.steps, from: source.orientedSize)
            return
        }
        if !spec.isFixedOrder {
            // A first resize may still shrink a JPEG while it decodes; everything else runs in the order given.
            if case .resize(let resize)? = spec.steps.first, source.format == .jpeg,
                let shrink = Self.jpegShrink(for: resize, from: source.orientedSize), shrink > 1
            {
                load = .open(jpegShrink: shrink)
            } else {
                load = .open(jpegShrink: 1)
            }
            steps = [AutoOrient(), NormalizeColour()] + Self.operations(of: spec.steps, from: source.orientedSize)
            return
        }
        // The fixed order: a crop, then a resize, come first when there are any.
        let crop: TransformationSpec.Crop?
        let resize: TransformationSpec.Resize?
        if case .crop(let c)? = spec.first(.crop) { crop = c } else { crop = nil }
        if case .resize(let r)? = spec.first(.resize) { resize = r } else { resize = nil }
        // Without a crop first, the resize happens while loading: JPEGs and WebPs decode at a fraction of
        // their size, which is most of libvips's speed on large photos. That path also applies EXIF orientation.
        if crop == nil, let resize, source.format == .jpeg,
            let shrink = Self.jpegShrink(for: resize, from: source.orientedSize), shrink > 1
        {
            // libvips's thumbnail lets the JPEG decoder shrink only to about twice the target; decoding at the
            // deepest 1/2, 1/4 or 1/8 that still covers the target, then resizing the rest with Lanczos, is
            // faster and looks the same (runtime-benchmark prints the difference).
            load = .open(jpegShrink: shrink)
            steps.append(AutoOrient())
            steps.append(NormalizeColour())
            steps.append(Resize(resize: Self.exactSize(for: resize, from: source.orientedSize)))
        } else if crop == nil, let resize {
            load = .resizeWhileLoading(resize)
            steps.append(NormalizeColour())
        } else {
            load = .open(jpegShrink: 1)
            steps.append(AutoOrient())
            steps.append(NormalizeColour())
            if let crop { steps.append(Crop(crop: crop)) }
            if let resize { steps.append(Resize(resize: resize)) }
        }
        // contain: fit inside, then pad to exactly the box.
        if let resize, resize.fit == .contain, let width = resize.width, let height = resize.height {
            steps.append(PadToBox(width: width, height: height))
        }
        // The rest as a pipeline would run it: rendered into memory before a rotation or flip (which
        // sequential decoding cannot serve, and the image is small by now), then the filters, then the
        // watermark, so it is not blurred, inverted or toned.
        let rest = spec.steps.filter { $0.kind != .crop && $0.kind != .resize }  // done above
        steps += Self.operations(of: rest, from: source.orientedSize)
    }

    /// The deepest JPEG decoder shrink (1, 2, 4 or 8) whose output is still at least the size the resize needs
    /// on both axes, for an image of `size` once upright.
    static func jpegShrink(for resize: TransformationSpec.Resize, from size: (width: Int, height: Int)) -> Int? {
        let sx = resize.width.map { Double($0) / Double(size.width) }
        let sy = resize.height.map { Double($0) / Double(size.height) }
        let scale: Double
        switch (sx, sy) {
        case (let x?, let y?):
            // inside and contain are bound by the smaller scale; cover and fill need the larger on one axis.
            scale = (resize.fit == .inside || resize.fit == .contain) ? min(x, y) : max(x, y)
        case (let x?, nil): scale = x
        case (nil, let y?): scale = y
        case (nil, nil): return nil
        }
        guard scale > 0, scale < 0.5 else { return 1 }
        // A shrink of n gives ceil(side / n) pixels: keep at least the target on both axes.
        for shrink in [8, 4, 2] {
            let loadedWidth = (size.width + shrink - 1) / shrink, loadedHeight = (size.height + shrink - 1) / shrink
            let neededWidth = Int((Double(size.width) * scale).rounded(.up)), neededHeight = Int((Double(size.height) * scale).rounded(.up))
            if loadedWidth >= neededWidth, loadedHeight >= neededHeight { return shrink }
        }
        return 1
    }

    /// A fit that keeps the aspect ratio, made explicit: the size computed from the full image, so that decoding
    /// shrunk (whose sides are rounded up) gives the same size as decoding whole.
    static func exactSize(for resize: TransformationSpec.Resize, from size: (width: Int, height: Int)) -> TransformationSpec.Resize {
        guard resize.fit == .inside || resize.fit == .contain else { return resize }
        let sx = resize.width.map { Double($0) / Double(size.width) } ?? .infinity
        let sy = resize.height.map { Double($0) / Double(size.height) } ?? .infinity
        let scale = min(sx, sy)
        let width = max(1, Int((Double(size.width) * scale).rounded()))
        let height = max(1, Int((Double(size.height) * scale).rounded()))
        return .init(width: width, height: height, fit: .fill)
    }

    /// The operations of a pipeline's steps, in order. A resize that keeps the aspect ratio is sized from the
    /// image before it (the first from the source's full size, as a shrunk JPEG decode must not change it);
    /// the image is rendered into memory before the first rotation or flip, which sequential decoding
    /// cannot serve.
    static func operations(of pipeline: [TransformationSpec.Step], from sourceSize: (width: Int, height: Int)) -> [any ImageOperation] {
        var operations: [any ImageOperation] = []
        var materialized = false
        for (i, step) in pipeline.enumerated() {
            switch step {
            case .crop(let crop):
                operations.append(Crop(crop: crop))
            case .resize(let resize):
                operations.append(PipelineResize(resize: resize, sizeBefore: i == 0 ? sourceSize : nil))
                if resize.fit == .contain, let width = resize.width, let height = resize.height {
                    operations.append(PadToBox(width: width, height: height))
                }
            case .rotate(let degrees):
                if !materialized { operations.append(Materialize()) }
                materialized = true
                operations.append(Rotate(degrees: degrees))
            case .flip:
                if !materialized { operations.append(Materialize()) }
                materialized = true
                operations.append(Flip())
            case .mirror:
                operations.append(Mirror())
            case .filters(let filters):
                // Colour first (grey, then sepia on the grey), then blur and sharpen, then invert.
                if filters.grayscale { operations.append(Grayscale()) }
                if filters.sepia { operations.append(Sepia()) }
                if let sigma = filters.blur { operations.append(Blur(sigma: sigma)) }
                if filters.sharpen { operations.append(Sharpen()) }
                if filters.invert { operations.append(Invert()) }
            case .watermark(let watermark):
                operations.append(Watermark(watermark: watermark))
            }
        }
        return operations
    }
}

/// A pipeline's resize: the fixed path's exact sizing of aspect-keeping fits, from the image as it is when the
/// step runs (or from `sizeBefore` when given).
struct PipelineResize: ImageOperation {
    var resize: TransformationSpec.Resize
    var sizeBefore: (width: Int, height: Int)?

    func apply(to image: VipsImageRef, context: RenderContext) throws(ImagingError) -> VipsImageRef {
        let size = sizeBefore ?? (image.width, image.height)
        return try Resize(resize: TransformationPlan.exactSize(for: resize, from: size)).apply(to: image, context: context)
    }
}
