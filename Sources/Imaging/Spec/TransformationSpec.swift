/// A normalized transformation request: defaults filled in, no-ops dropped, angles reduced, so that requests
/// that mean the same are equal and hash the same. Made by `TransformationSpec.parse`; the API's JSON shape is
/// in API.md ("Transformations").
public struct TransformationSpec: Sendable, Hashable {
    public enum Fit: String, Sendable, Hashable, CaseIterable { case fill, cover, contain, inside }

    /// Which part of the image a `cover` resize keeps when it crops: an edge or corner, the centre (the
    /// default), or the most interesting part by libvips's `smartcrop` measures (`smart` is its attention
    /// measure: skin tones, saturation, edges; `entropy` keeps the busiest part).
    public enum Gravity: String, Sendable, Hashable, CaseIterable {
        case centre, north, northeast, east, southeast, south, southwest, west, northwest, smart, entropy
    }

    public struct Resize: Sendable, Hashable {
        public var width: Int?
        public var height: Int?
        /// With one side only, every fit gives the same image: it is normalized to `inside`.
        public var fit: Fit
        /// Only for `cover`; `centre` for every other fit.
        public var gravity: Gravity = .centre
    }

    public struct Crop: Sendable, Hashable {
        public var x: Int
        public var y: Int
        public var width: Int
        public var height: Int
    }

    public struct Filters: Sendable, Hashable {
        public var grayscale = false
        public var sepia = false
        /// Gaussian sigma, 0.3 to 100.
        public var blur: Double?
        public var sharpen = false
        public var invert = false

        var isEmpty: Bool { !grayscale && !sepia && blur == nil && !sharpen && !invert }
    }

    public enum Position: String, Sendable, Hashable, CaseIterable {
        case bottomRight = "bottom-right", bottomLeft = "bottom-left", topRight = "top-right", topLeft = "top-left"
        case center
    }

    public struct Watermark: Sendable, Hashable {
        public var text: String
        public var position: Position
        /// 0 (invisible, so dropped) to 1.
        public var opacity: Double
    }

    /// One step of an ordered pipeline: the same operations as the fixed-order fields, in the order given.
    public enum Step: Sendable, Hashable {
        case crop(Crop)
        case resize(Resize)
        case rotate(Double)
        case flip
        case mirror
        case filters(Filters)
        case watermark(Watermark)
    }

    /// Steps in the order given (`{"pipeline": [...]}`), instead of the fixed-order fields below, which are
    /// then all empty. nil for the fixed order. A pipeline already in the fixed order, each kind once, is
    /// normalized into the fixed fields, so both spellings are one variant.
    public var pipeline: [Step]?
    public var crop: Crop?
    public var resize: Resize?
    /// Degrees clockwise in [0, 360); nil for none.
    public var rotate: Double?
    public var flip = false
    public var mirror = false
    public var filters = Filters()
    public var watermark: Watermark?
    /// An animated GIF or WebP stays animated when the result is GIF or WebP; false takes its first frame.
    public var animated = true
    /// nil keeps the source's format.
    public var format: ImageFormat?
    public var quality: Int?
    public var compress = false

    public init() {}

    /// True when the spec changes nothing (then the request is refused: at least one change is required).
    public var isEmpty: Bool {
        (pipeline ?? []).isEmpty && crop == nil && resize == nil && rotate == nil && !flip && !mirror && filters.isEmpty && watermark == nil
            && format == nil && quality == nil && !compress && animated
    }

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
}

extension TransformationSpec {
    /// Checks what depends on the source: a crop must lie inside the upright image, or for a pipeline inside
    /// the image the steps before it make (`transformations.pipeline[2].crop`). Called when the request is
    /// made, so a bad crop is a 422 at once rather than a failed job later.
    public func validate(forImageOf size: (width: Int, height: Int)) throws(SpecValidationError) {
        if let pipeline {
            try PipelineDryRun.check(pipeline, from: size)
            return
        }
        guard let crop else { return }
        var errors: [SpecValidationError.FieldError] = []
        if crop.x + crop.width > size.width {
            errors.append(.init(field: "transformations.crop.width", message: "x + width must be at most the image width, \(size.width)"))
        }
        if crop.y + crop.height > size.height {
            errors.append(.init(field: "transformations.crop.height", message: "y + height must be at most the image height, \(size.height)"))
        }
        if !errors.isEmpty { throw SpecValidationError(errors) }
    }
}

extension TransformationSpec.Step {
    /// The step's place in the fixed order (crop, resize, rotate, flip, mirror, filters, watermark).
    var kindIndex: Int {
        switch self {
        case .crop: 0
        case .resize: 1
        case .rotate: 2
        case .flip: 3
        case .mirror: 4
        case .filters: 5
        case .watermark: 6
        }
    }
}
