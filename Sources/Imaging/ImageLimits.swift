/// What an image may be before any pixel of it is decoded. Configurable; the defaults are API.md's.
public struct ImageLimits: Sendable, Equatable {
    /// Encoded size.
    public var maxBytes: Int
    /// Width x height, all frames of an animation counted together.
    public var maxPixels: Int
    /// Width or height (of one frame).
    public var maxSide: Int

    public init(maxBytes: Int = 25_000_000, maxPixels: Int = 50_000_000, maxSide: Int = 16_384) {
        self.maxBytes = maxBytes
        self.maxPixels = maxPixels
        self.maxSide = maxSide
    }

    public static let `default` = ImageLimits()
}
