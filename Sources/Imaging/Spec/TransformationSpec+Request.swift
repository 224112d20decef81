/// What a spec may leave to the request: `fmt_auto` (a format from the client's `Accept`) and `dpr` (sizes
/// for a screen's device pixel ratio). Both are resolved before the spec names a variant, so a variant's
/// identity holds the format and the sizes it was made with, and one spec makes at most three variants for
/// `fmt_auto` (AVIF, WebP, the source's format).
extension TransformationSpec {
    /// AVIF for `fmt_auto` only up to this many pixels in the result: its encode (effort 1, about 0.13 s a
    /// megapixel here beyond a JPEG's) must fit well inside a request's deadline.
    public static let autoAVIFMaxPixels = 16_000_000
    /// WebP's largest side.
    public static let webPMaxSide = 16_383

    /// The size of the result for a source of `size` (upright), as the real run makes it; `size` itself when
    /// it cannot be worked out here.
    public func outputSize(forImageOf size: (width: Int, height: Int)) -> (width: Int, height: Int) {
        PipelineDryRun.sizes(steps, from: size)?.last ?? size
    }

    /// `fmt_auto` resolved for a client that accepts `accepted`: AVIF when accepted, the result is still and has
    /// at most `autoAVIFMaxPixels`; else WebP when accepted and no side is over WebP's limit; else the source's
    /// format. An animated source that stays animated skips AVIF, which libvips writes as one frame.
    /// `outputSize` is asked for only when AVIF or WebP is accepted (it runs the size-changing steps' headers).
    public func resolvingFormat(
        accepted: Set<ImageFormat>, source: ImageFormat, outputSize: @autoclosure () -> (width: Int, height: Int)
    ) -> TransformationSpec {
        guard autoFormat else { return self }
        var spec = self
        spec.autoFormat = false
        let animation = source.animates && animated
        let size = accepted.isDisjoint(with: [.avif, .webp]) ? nil : outputSize()
        if accepted.contains(.avif), !animation, let size, size.width * size.height <= Self.autoAVIFMaxPixels {
            spec.format = .avif
        } else if accepted.contains(.webp), let size, max(size.width, size.height) <= Self.webPMaxSide {
            spec.format = .webp
        } else {
            spec.format = nil
        }
        return spec.normalized(sourceFormat: source)
    }

    /// `dpr` applied: each resize's sizes multiplied by the ratio, for the image that resize meets, never past
    /// that image's own size (a resize asked to enlarge keeps its size, unmultiplied). Both sides of a resize
    /// scale by one factor, so its aspect ratio holds.
    public func applyingDevicePixelRatio(forImageOf size: (width: Int, height: Int)) -> TransformationSpec {
        guard let ratio = devicePixelRatio else { return self }
        var spec = self
        spec.devicePixelRatio = nil
        for (i, step) in spec.steps.enumerated() {
            guard case .resize(var resize) = step else { continue }
            // The image this resize meets, after the steps before it (already scaled).
            let sizes = PipelineDryRun.sizes(Array(spec.steps[..<i]), from: size)
            let image = sizes.flatMap { $0.count == i + 1 ? $0.last : nil } ?? size
            var factor = ratio
            if let width = resize.width { factor = min(factor, max(1, Double(image.width) / Double(width))) }
            if let height = resize.height { factor = min(factor, max(1, Double(image.height) / Double(height))) }
            resize.width = resize.width.map { max(1, Int((Double($0) * factor).rounded())) }
            resize.height = resize.height.map { max(1, Int((Double($0) * factor).rounded())) }
            spec.steps[i] = .resize(resize)
        }
        return spec
    }
}
