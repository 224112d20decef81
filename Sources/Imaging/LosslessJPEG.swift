import CTurboJPEG

/// A JPEG upload made into a fast master without touching a coefficient, by libjpeg-turbo's lossless
/// transform: one baseline scan (progressive JPEGs decode 2-3.5x slower, for every variant made from them), no
/// markers at all (EXIF with GPS, XMP, IPTC, ICC, comments, thumbnails), and turned upright by a lossless
/// rotation or flip. Its decoded pixels equal the upload's once EXIF orientation is applied.
enum LosslessJPEG {
    /// The master of `jpeg` for EXIF `orientation` (1-8); nil where the transform cannot be exact or complete:
    /// a rotation or flip that would move partial MCU blocks at an edge, arithmetic coding or 12-bit samples
    /// (TurboJPEG 2.1 has neither), or data that draws even a warning from the decoder. The caller then
    /// re-encodes from pixels.
    static func master(of jpeg: [UInt8], orientation: Int) -> [UInt8]? {
        guard let handle = tjInitTransform() else { return nil }
        defer { tjDestroy(handle) }
        var out: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        defer { tjFree(out) }
        let result = jpeg.withUnsafeBufferPointer {
            ctj_transform(
                handle, $0.baseAddress, UInt($0.count), operation(forOrientation: orientation),
                TJXOPT_PERFECT | TJXOPT_COPYNONE, TJFLAG_STOPONWARNING, &out, &size
            )
        }
        guard result == 0, let out, size > 0 else { return nil }
        return Array(UnsafeBufferPointer(start: out, count: Int(size)))
    }

    /// Whether `jpeg`'s frame header says progressive (SOF2, or SOF10 with arithmetic coding): read from the
    /// markers before the first scan, without decoding anything.
    static func isProgressive(_ jpeg: [UInt8]) -> Bool {
        guard jpeg.count > 4, jpeg[0] == 0xFF, jpeg[1] == 0xD8 else { return false }
        var i = 2
        while i + 4 <= jpeg.count, jpeg[i] == 0xFF {
            let marker = jpeg[i + 1]
            if marker == 0xC2 || marker == 0xCA { return true }
            let otherFrame = (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker)  // not DHT, JPG, DAC
            if marker == 0xDA || otherFrame { return false }
            i += 2 + (Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3]))
        }
        return false
    }

    /// The transform that shows an image of EXIF `orientation` upright (as jpegtran's `exifautotran` does).
    static func operation(forOrientation orientation: Int) -> Int32 {
        let op: TJXOP = switch orientation {
        case 2: TJXOP_HFLIP
        case 3: TJXOP_ROT180
        case 4: TJXOP_VFLIP
        case 5: TJXOP_TRANSPOSE
        case 6: TJXOP_ROT90
        case 7: TJXOP_TRANSVERSE
        case 8: TJXOP_ROT270
        default: TJXOP_NONE
        }
        return Int32(op.rawValue)
    }
}
