import CVips
import Foundation

/// Saves the pipeline's result: 8-bit sRGB or grey, alpha flattened onto white where the format has none,
/// every metadata block stripped (EXIF with GPS, XMP, IPTC, ICC, thumbnails).
struct ImageEncoder {
    var format: ImageFormat
    var quality: Int?
    var compress: Bool
    /// JPEG with 4:2:0 chroma whatever the quality (libvips otherwise keeps full chroma from Q90): for an
    /// original re-encoded from a 4:2:0 JPEG, whose chroma holds no more than that.
    var subsampleChroma = false

    func encode(_ image: VipsImageRef) throws(ImagingError) -> [UInt8] {
        var image = try image.apply("strip metadata") { cvips_without_metadata($0, &$1) }
        if !format.supportsAlpha, image.hasAlpha {
            let white = Array(repeating: 255.0, count: image.bands - 1)
            image = try image.apply("flatten") { cvips_flatten($0, &$1, white, Int32(white.count)) }
        }
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        let status: Int32
        switch format {
        case .jpeg:
            // `compress` adds Huffman optimisation, trellis quantisation and progressive scans: smaller, slower.
            status = cvips_jpegsave(image.pointer, &buffer, &length, Int32(quality ?? (compress ? 70 : 85)), compress ? 1 : 0, subsampleChroma ? 1 : 0)
        case .png:
            // Lossless by default; `quality` or `compress` quantize to a palette, which is much smaller.
            let palette = compress || quality != nil
            status = cvips_pngsave(image.pointer, &buffer, &length, compress ? 9 : 6, palette ? 1 : 0, Int32(quality ?? 80))
        case .webp:
            status = cvips_webpsave(image.pointer, &buffer, &length, Int32(quality ?? (compress ? 65 : 80)), compress ? 6 : 4)
        case .avif:
            // Effort 1 is imgproxy's default (AVIF speed 8): 0.1-0.2 s at 800 px here, where libvips's default 4
            // took 0.25-1.4 s (`imaging-benchmark --encoders`) for files about 15% smaller.
            status = cvips_heifsave(image.pointer, &buffer, &length, Int32(quality ?? (compress ? 40 : 50)), VIPS_FOREIGN_HEIF_COMPRESSION_AV1, compress ? 4 : 1)
        case .heif:
            status = cvips_heifsave(image.pointer, &buffer, &length, Int32(quality ?? (compress ? 40 : 50)), VIPS_FOREIGN_HEIF_COMPRESSION_HEVC, compress ? 6 : 4)
        case .gif:
            status = cvips_gifsave(image.pointer, &buffer, &length, compress ? 10 : 7, 1.0)
        case .tiff:
            // Deflate is lossless; `compress` (or a quality) switches to JPEG-in-TIFF, lossy and far smaller.
            let lossy = compress || quality != nil
            status = cvips_tiffsave(image.pointer, &buffer, &length, lossy ? VIPS_FOREIGN_TIFF_COMPRESSION_JPEG : VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE, Int32(quality ?? 75))
        }
        guard status == 0, let buffer else {
            // Pixels are decoded only now, so damage in the source surfaces here (ImageProcessor tells which).
            throw ImagingError.fromVips(.transformationFailed, what: "encode as \(format.rawValue)", detail: Vips.takeError())
        }
        defer { g_free(buffer) }
        let bytes = Array(UnsafeRawBufferPointer(start: buffer, count: length))
        return format == .webp ? WebPMetadataStripper.strip(bytes) : bytes
    }
}
