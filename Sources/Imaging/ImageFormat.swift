/// The formats we accept and produce. The bytes decide an upload's format, never its name.
public enum ImageFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case jpeg, png, webp, avif, heif, gif, tiff

    public var contentType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .webp: "image/webp"
        case .avif: "image/avif"
        case .heif: "image/heif"
        case .gif: "image/gif"
        case .tiff: "image/tiff"
        }
    }

    /// Whether the format stores an alpha channel (where padding and rotation corners become transparent).
    public var supportsAlpha: Bool { self != .jpeg }
    /// Formats that hold an animation (frames with delays and a loop count).
    public var animates: Bool { self == .gif || self == .webp }

    /// libvips's buffer loaders we allow, by format; every other loader (SVG, PDF, MATLAB, PPM, ...) is refused.
    static func fromLoader(_ loader: String) -> ImageFormat? {
        switch loader {
        case "VipsForeignLoadJpegBuffer": .jpeg
        case "VipsForeignLoadPngBuffer": .png
        case "VipsForeignLoadWebpBuffer": .webp
        case "VipsForeignLoadGifBuffer", "VipsForeignLoadNsgifBuffer": .gif
        case "VipsForeignLoadHeifBuffer": .heif  // AVIF too: told apart by the compression in the header
        case "VipsForeignLoadTiffBuffer": .tiff
        default: nil
        }
    }
}
