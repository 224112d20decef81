import CVips

/// The result of a transformation: encoded bytes and what they are.
public struct EncodedImage: Sendable {
    public var bytes: [UInt8]
    public var format: ImageFormat
    public var width: Int
    public var height: Int
}

/// Runs a spec on a source: load, the plan's steps, encode. Synchronous and CPU-bound: call it off the event loop.
public enum ImageProcessor {
    public static func process(_ source: ImageSource, spec: TransformationSpec) throws(ImagingError) -> EncodedImage {
        do {
            return try render(source, spec: spec)
        } catch where error.code == .transformationFailed || error.code == .corruptImage {
            // Pixels decode lazily, inside any step: a failure is the source's damage exactly when the source
            // does not decode on its own.
            do {
                try source.verifyDecodes()
            } catch {
                throw ImagingError(.corruptImage, "the image is damaged and cannot be read", detail: error.detail)
            }
            throw ImagingError(.transformationFailed, "the image could not be processed", detail: error.detail)
        }
    }

    private static func render(_ source: ImageSource, spec: TransformationSpec) throws(ImagingError) -> EncodedImage {
        let plan = TransformationPlan(spec: spec, source: source)
        let context = RenderContext(outputFormat: plan.outputFormat)
        var image: VipsImageRef
        switch plan.load {
        case .open(let shrink):
            // Upright or mirrored sources decode top to bottom in one pass; the EXIF orientations that rotate or
            // flip need random access.
            let access = source.orientation <= 2 ? "access=sequential" : "access=random"
            image = try source.open(extraOptions: shrink > 1 ? "\(access),shrink=\(shrink)" : access)
        case .resizeWhileLoading(let resize):
            let p = Resize.thumbnailParameters(resize, from: source.orientedSize)
            guard let out = source.thumbnail(width: p.width, height: p.height, size: p.size, crop: p.crop) else {
                throw ImagingError(.transformationFailed, "the image could not be resized", detail: Vips.takeError())
            }
            image = out
        }
        for step in plan.steps {
            image = try step.apply(to: image, context: context)
        }
        let bytes = try plan.encoder.encode(image)
        return EncodedImage(bytes: bytes, format: plan.outputFormat, width: image.width, height: image.height)
    }

    /// The original as stored: upright, 8-bit sRGB, metadata stripped, in its own format at high quality.
    public static func normalizeOriginal(_ source: ImageSource) throws(ImagingError) -> EncodedImage {
        var spec = TransformationSpec()
        spec.quality = source.format == .jpeg || source.format == .webp || source.format == .avif || source.format == .heif ? 92 : nil
        return try process(source, spec: spec)
    }
}
