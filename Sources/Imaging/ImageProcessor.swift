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
        try process(source, spec: spec, subsampleChroma: false)
    }

    static func process(_ source: ImageSource, spec: TransformationSpec, subsampleChroma: Bool) throws(ImagingError) -> EncodedImage {
        do {
            return try render(source, spec: spec, subsampleChroma: subsampleChroma)
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

    private static func render(_ source: ImageSource, spec: TransformationSpec, subsampleChroma: Bool) throws(ImagingError) -> EncodedImage {
        var plan = TransformationPlan(spec: spec, source: source)
        plan.encoder.subsampleChroma = subsampleChroma
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
        case .allFrames:
            return try renderAnimation(source, plan: plan, context: context)
        }
        for step in plan.steps {
            image = try step.apply(to: image, context: context)
        }
        let bytes = try plan.encoder.encode(image)
        return EncodedImage(bytes: bytes, format: plan.outputFormat, width: image.width, height: image.height)
    }

    /// An animation: every frame through the plan's steps, joined again one above the other with its page
    /// height, and the source's frame delays and loop count, which the GIF and WebP savers write.
    private static func renderAnimation(_ source: ImageSource, plan: TransformationPlan, context: RenderContext) throws(ImagingError) -> EncodedImage {
        let all = try source.open(extraOptions: "access=sequential,n=-1")
        let pageHeight = all.int("page-height") ?? source.height
        guard pageHeight > 0, all.height % pageHeight == 0 else {
            throw ImagingError(.corruptImage, "the animation's frames do not divide its height", detail: "\(all.height) / \(pageHeight)")
        }
        // Decoded once; the frames are cut from memory, in any order the steps need.
        let decoded = try all.apply("decode") { cvips_copy_memory($0, &$1) }
        var frames: [VipsImageRef] = []
        for k in 0..<(all.height / pageHeight) {
            var frame = try decoded.apply("frame") { cvips_extract_area($0, &$1, 0, Int32(k * pageHeight), Int32(decoded.width), Int32(pageHeight)) }
            for step in plan.steps { frame = try step.apply(to: frame, context: context) }
            frames.append(frame)
        }
        guard let first = frames.first else { throw ImagingError(.corruptImage, "the animation has no frames") }
        let (width, height) = (first.width, first.height)
        var pointers: [UnsafeMutablePointer<CVips.VipsImage>?] = frames.map(\.pointer)
        var joined = try pointers.withUnsafeMutableBufferPointer { buffer throws(ImagingError) -> VipsImageRef in
            var out: UnsafeMutablePointer<CVips.VipsImage>?
            guard cvips_arrayjoin_vertical(buffer.baseAddress, &out, Int32(buffer.count)) == 0, let out else {
                throw ImagingError.fromVips(.transformationFailed, what: "join the frames", detail: Vips.takeError())
            }
            return VipsImageRef(out)
        }
        joined = try joined.apply("copy") { cvips_copy($0, &$1) }
        vips_image_set_int(joined.pointer, "page-height", Int32(height))
        var delays: UnsafeMutablePointer<Int32>?
        var count: Int32 = 0
        if vips_image_get_array_int(all.pointer, "delay", &delays, &count) == 0, let delays, count > 0 {
            vips_image_set_array_int(joined.pointer, "delay", delays, count)
        } else {
            Vips.takeError()
        }
        if let loop = all.int("loop") { vips_image_set_int(joined.pointer, "loop", Int32(loop)) }
        _ = frames  // the frames stay alive until the join has its own references
        let bytes = try plan.encoder.encode(joined)
        return EncodedImage(bytes: bytes, format: plan.outputFormat, width: width, height: height)
    }

    /// What an upload is stored as. A JPEG becomes a fast master where it can without a generation: an upright
    /// sequential one loses its metadata segments and keeps its data byte for byte (then every pixel is
    /// decoded once, as for any upload stored as it came); a progressive or turned one goes through
    /// libjpeg-turbo's lossless transform (baseline, marker-free, upright). Other uploads that carry
    /// orientation, metadata or unusual pixels are re-encoded (`normalizeOriginal`); the rest are stored as
    /// uploaded, once every pixel is known to decode.
    public static func master(of bytes: [UInt8], source: ImageSource) throws(ImagingError) -> EncodedImage {
        let (width, height) = source.orientedSize
        if source.allowsLosslessMaster {
            if source.orientation == 1, let stripped = JPEGMetadataStripper.strip(bytes) {
                try source.verifyDecodes()
                return EncodedImage(bytes: stripped, format: .jpeg, width: width, height: height)
            }
            if let master = LosslessJPEG.master(of: bytes, orientation: source.orientation) {
                return EncodedImage(bytes: master, format: .jpeg, width: width, height: height)
            }
        }
        if source.needsNormalizing { return try normalizeOriginal(source) }
        try source.verifyDecodes()
        return EncodedImage(bytes: bytes, format: source.format, width: width, height: height)
    }

    /// A stored original made into a fast master after the fact (originals stored before fast masters were kept
    /// as uploaded when they had no metadata): the lossless baseline rewrite of a progressive JPEG, nil for
    /// anything else. Stored originals are upright and carry no metadata, so their pixels stay exactly the same.
    public static func remastered(_ stored: [UInt8]) throws(ImagingError) -> [UInt8]? {
        guard LosslessJPEG.isProgressive(stored) else { return nil }
        let source = try ImageSource(bytes: stored)
        guard source.allowsLosslessMaster, source.orientation == 1 else { return nil }
        return LosslessJPEG.master(of: stored, orientation: 1)
    }

    /// The original as stored when no lossless path applies: upright, 8-bit sRGB, metadata stripped, in its own format at high quality. A
    /// 4:2:0 JPEG stays 4:2:0: at Q92 libvips would otherwise write full chroma, which the source never had.
    /// For the 20 MP test photo that made the stored file 5.2 MB instead of 4.4, and slower to decode for
    /// every later transformation (its new variants ran at 0.70x thumbor's rate, which reads the file).
    public static func normalizeOriginal(_ source: ImageSource) throws(ImagingError) -> EncodedImage {
        let spec = TransformationSpec(quality: source.format == .jpeg || source.format == .webp || source.format == .avif || source.format == .heif ? 92 : nil)
        return try process(source, spec: spec, subsampleChroma: source.format == .jpeg && source.chromaSubsampling == "4:2:0")
    }
}
