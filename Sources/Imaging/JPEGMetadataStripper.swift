/// A sequential JPEG's segments without its metadata: EXIF, XMP, ICC, IPTC, MPF and every other APPn segment,
/// comments, and anything after the end-of-image marker (the appended previews of multi-picture files) go;
/// the tables, the frame and the entropy-coded data are copied byte for byte, so the pixels are exactly the
/// upload's. Two APP segments are kept because they change how the data decodes or are harmless: JFIF's APP0
/// and Adobe's APP14 (whose transform flag says whether three components are YCbCr or RGB).
///
/// For upright uploads this is the fast master at the cost of a copy; libjpeg-turbo's transform, which
/// entropy-decodes and re-encodes every block (137 ms for the 20 MP test photo), is left for progressive files
/// and turns.
enum JPEGMetadataStripper {
    /// The stripped file; nil for anything but a complete sequential (SOF0 or SOF1) JPEG: progressive,
    /// lossless or arithmetic-coded frames, a segment that runs past the end, or no end-of-image marker.
    static func strip(_ jpeg: [UInt8]) -> [UInt8]? {
        jpeg.withUnsafeBufferPointer { strip($0) }
    }

    private static func strip(_ jpeg: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard jpeg.count > 4, jpeg[0] == 0xFF, jpeg[1] == 0xD8 else { return nil }
        var out: [UInt8] = [0xFF, 0xD8]
        out.reserveCapacity(jpeg.count)
        var i = 2
        var sequential = false
        while true {
            guard i < jpeg.count, jpeg[i] == 0xFF else { return nil }
            while i < jpeg.count, jpeg[i] == 0xFF { i += 1 }  // fill bytes
            guard i < jpeg.count else { return nil }
            let marker = jpeg[i]
            i += 1
            if marker == 0xD9 {
                out += [0xFF, 0xD9]
                return sequential ? out : nil
            }
            guard i + 2 <= jpeg.count else { return nil }
            let length = Int(jpeg[i]) << 8 | Int(jpeg[i + 1])
            guard length >= 2, i + length <= jpeg.count else { return nil }
            let segment = UnsafeBufferPointer(rebasing: jpeg[i..<(i + length)])
            switch marker {
            case 0xC0, 0xC1:
                sequential = true
            case 0xC2...0xCF where ![0xC4, 0xC8, 0xCC].contains(marker):  // DHT, JPG and DAC are not frames
                return nil
            default:
                break
            }
            if keeps(marker, segment) {
                out += [0xFF, marker]
                out += segment
            }
            i += length
            guard marker == 0xDA else { continue }
            // A scan's entropy-coded data runs to the next marker that is not a stuffed 0xFF00, a restart
            // marker or a fill byte.
            let start = i
            while i + 1 < jpeg.count {
                if jpeg[i] == 0xFF {
                    let next = jpeg[i + 1]
                    if next != 0x00, next != 0xFF, !(0xD0...0xD7).contains(next) { break }
                }
                i += 1
            }
            guard i + 1 < jpeg.count else { return nil }  // truncated: no end-of-image marker
            out += UnsafeBufferPointer(rebasing: jpeg[start..<i])
        }
    }

    /// Tables, frames, scans and restart intervals stay; of the APP segments, JFIF's and Adobe's only.
    private static func keeps(_ marker: UInt8, _ segment: UnsafeBufferPointer<UInt8>) -> Bool {
        switch marker {
        case 0xE0: return starts(segment, with: "JFIF\0")
        case 0xEE: return starts(segment, with: "Adobe")
        case 0xE1...0xEF, 0xFE: return false
        default: return true
        }
    }

    private static func starts(_ segment: UnsafeBufferPointer<UInt8>, with identifier: String) -> Bool {
        let bytes = Array(identifier.utf8)
        return segment.count >= 2 + bytes.count && segment[2..<(2 + bytes.count)].elementsEqual(bytes)
    }
}
