/// Removes EXIF, XMP and ICC chunks from a WebP file. libvips 8.14's WebP saver writes a small EXIF block
/// (orientation, resolution) even when asked to strip, so the container is cleaned after saving: the RIFF
/// chunks go, and the VP8X flags that announce them are cleared.
enum WebPMetadataStripper {
    static func strip(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WEBP".utf8) else {
            return bytes
        }
        var chunks: [UInt8] = []
        var offset = 12
        while offset + 8 <= bytes.count {
            let fourCC = String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
            let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
            let end = offset + 8 + size + (size & 1)
            guard end <= bytes.count else { return bytes }  // not a file we understand: leave it alone
            var chunk = Array(bytes[offset..<end])
            switch fourCC {
            case "EXIF", "XMP ", "ICCP":
                break
            case "VP8X":
                if chunk.count > 8 { chunk[8] &= ~UInt8(0x20 | 0x08 | 0x04) }  // ICC, EXIF, XMP flags
                chunks += chunk
            default:
                chunks += chunk
            }
            offset = end
        }
        let riffSize = UInt32(4 + chunks.count)
        let header: [UInt8] = Array("RIFF".utf8)
            + [UInt8(riffSize & 0xFF), UInt8(riffSize >> 8 & 0xFF), UInt8(riffSize >> 16 & 0xFF), UInt8(riffSize >> 24)]
            + Array("WEBP".utf8)
        return header + chunks
    }
}
