/// A normalized transformation: the operations as ordered steps, then the output options. Made at the edge
/// (the JSON body and the URL options are two grammars of it, in `functions/Transformations`) or decoded from
/// its canonical JSON (`Codable`), as the worker reads a stored variant's spec. Requests that mean the same are
/// equal and hash the same: defaults are filled in, no-ops dropped, angles reduced. The API's JSON shape is in
/// API.md ("Transformations").
///
/// One list serves both spellings of the API: steps in the fixed order (crop, resize, rotate, flip, mirror,
/// filters, watermark), each kind at most once, are what the fixed-order object says and are written as it
/// (`isFixedOrder`); any other list is a `pipeline`. So a pipeline in the fixed order and the object it spells
/// are one spec, one variant.
public struct TransformationSpec: Sendable, Hashable {
    public enum Fit: String, Sendable, Hashable, CaseIterable, Codable { case fill, cover, contain, inside }

    /// Which part of the image a `cover` resize keeps when it crops: an edge or corner, the centre (the
    /// default), or the most interesting part by libvips's `smartcrop` measures (`smart` is its attention
    /// measure: skin tones, saturation, edges; `entropy` keeps the busiest part).
    public enum Gravity: String, Sendable, Hashable, CaseIterable, Codable {
        case centre, north, northeast, east, southeast, south, southwest, west, northwest, smart, entropy
    }

    public struct Resize: Sendable, Hashable {
        public var width: Int?
        public var height: Int?
        /// With one side only, every fit gives the same image: it is normalized to `inside`.
        public var fit: Fit
        /// Only for `cover`; `centre` for every other fit.
        public var gravity: Gravity = .centre

        public init(width: Int?, height: Int?, fit: Fit, gravity: Gravity = .centre) {
            (self.width, self.height, self.fit, self.gravity) = (width, height, fit, gravity)
        }

        /// A resize as a request may leave it: both sides and no fit is exactly that size (or, with a
        /// gravity, cover); one side keeps the aspect ratio whatever the fit; a gravity counts only for cover.
        public init(width: Int?, height: Int?, requestedFit fit: Fit?, gravity: Gravity?) {
            let bothSides = width != nil && height != nil
            let normalizedFit: Fit = bothSides ? (fit ?? (gravity != nil ? .cover : .fill)) : .inside
            self.init(width: width, height: height, fit: normalizedFit, gravity: normalizedFit == .cover ? (gravity ?? .centre) : .centre)
        }
    }

    public struct Crop: Sendable, Hashable, Codable {
        public var x: Int
        public var y: Int
        public var width: Int
        public var height: Int

        public init(x: Int, y: Int, width: Int, height: Int) { (self.x, self.y, self.width, self.height) = (x, y, width, height) }
    }

    public struct Filters: Sendable, Hashable {
        public var grayscale = false
        public var sepia = false
        /// Gaussian sigma, 0.3 to 100.
        public var blur: Double?
        public var sharpen = false
        public var invert = false

        public init() {}

        public var isEmpty: Bool { !grayscale && !sepia && blur == nil && !sharpen && !invert }
    }

    public enum Position: String, Sendable, Hashable, CaseIterable, Codable {
        case bottomRight = "bottom-right", bottomLeft = "bottom-left", topRight = "top-right", topLeft = "top-left"
        case center
    }

    public struct Watermark: Sendable, Hashable {
        public var text: String
        public var position: Position = .bottomRight
        /// 0 (invisible, so dropped) to 1.
        public var opacity: Double = 0.5

        public init(text: String, position: Position = .bottomRight, opacity: Double = 0.5) {
            (self.text, self.position, self.opacity) = (text, position, opacity)
        }
    }

    /// One operation. Steps that change nothing (a flip of false, empty filters, a turn by a multiple of 360°,
    /// an invisible watermark) are never made: the parsers drop them.
    public enum Step: Sendable, Hashable {
        case crop(Crop)
        case resize(Resize)
        case rotate(Double)
        case flip
        case mirror
        case filters(Filters)
        case watermark(Watermark)

        /// The kinds in the fixed order the fixed-order object runs them in.
        public enum Kind: String, Sendable, CaseIterable, Comparable {
            case crop, resize, rotate, flip, mirror, filters, watermark

            public static func < (a: Kind, b: Kind) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
        }

        public var kind: Kind {
            switch self {
            case .crop: .crop
            case .resize: .resize
            case .rotate: .rotate
            case .flip: .flip
            case .mirror: .mirror
            case .filters: .filters
            case .watermark: .watermark
            }
        }
    }

    /// The operations, in the order they run.
    public var steps: [Step] = []
    /// An animated GIF or WebP stays animated when the result is GIF or WebP; false takes its first frame.
    public var animated = true
    /// nil keeps the source's format.
    public var format: ImageFormat?
    public var quality: Int?
    public var compress = false
    /// `fmt_auto` / `"format": "auto"`: the format is chosen per request from what its `Accept` admits
    /// (`resolvingFormat`), so a variant's identity holds the resolved format, never this.
    public var autoFormat = false
    /// `dpr_<1-4>`: the requested sizes are multiplied by it for the image they apply to
    /// (`applyingDevicePixelRatio`), so a variant's identity holds the resulting sizes, never this.
    public var devicePixelRatio: Double?

    public init(steps: [Step] = [], format: ImageFormat? = nil, quality: Int? = nil, compress: Bool = false, animated: Bool = true) {
        (self.steps, self.format, self.quality, self.compress, self.animated) = (steps, format, quality, compress, animated)
    }

    /// True when the steps are in the fixed order, each kind at most once: the fixed-order object spells them.
    public var isFixedOrder: Bool {
        zip(steps, steps.dropFirst()).allSatisfy { $0.kind < $1.kind }
    }

    /// True when the spec changes nothing (then the request is refused: at least one change is required).
    public var isEmpty: Bool {
        steps.isEmpty && format == nil && quality == nil && !compress && animated && !autoFormat
    }

    /// False while the spec still asks something of the request (a format from its Accept) or of the source (a
    /// device pixel ratio): it names no variant until `resolvingFormat` and `applyingDevicePixelRatio`.
    public var isResolved: Bool { !autoFormat && devicePixelRatio == nil }

    /// The same spec for a given source: a requested format equal to the source's is no change.
    public func normalized(sourceFormat: ImageFormat) -> TransformationSpec {
        var spec = self
        if spec.format == sourceFormat { spec.format = nil }
        // Taking the first frame changes nothing unless both the source and the result can animate (a PNG, a
        // JPEG or a multi-page TIFF is stored as one frame; a JPEG result is one frame anyway). A GIF or WebP
        // of one frame keeps it: its frame count is not read when the request is made.
        if !spec.animated, !(sourceFormat.animates && spec.outputFormat(source: sourceFormat).animates) { spec.animated = true }
        return spec
    }

    /// The format the result is encoded in.
    public func outputFormat(source: ImageFormat) -> ImageFormat { format ?? source }

    /// The first step of a kind: in a fixed-order spec, the one there is.
    func first(_ kind: Step.Kind) -> Step? { steps.first { $0.kind == kind } }
}

extension TransformationSpec {
    /// Checks what depends on the source: a crop must lie inside the upright image, or for a pipeline inside
    /// the image the steps before it make (`transformations.pipeline[2].crop`). Called when the request is
    /// made, so a bad crop is a 422 at once rather than a failed job later.
    public func validate(forImageOf size: (width: Int, height: Int)) throws(SpecValidationError) {
        if !isFixedOrder {
            try PipelineDryRun.check(steps, from: size)
            return
        }
        guard case .crop(let crop)? = first(.crop) else { return }
        var errors: [SpecValidationError.FieldError] = []
        if crop.x + crop.width > size.width {
            errors.append(.init(.field(["crop", "width"]), "x + width must be at most the image width, \(size.width)"))
        }
        if crop.y + crop.height > size.height {
            errors.append(.init(.field(["crop", "height"]), "y + height must be at most the image height, \(size.height)"))
        }
        if !errors.isEmpty { throw SpecValidationError(errors) }
    }
}
