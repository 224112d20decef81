/// A GIF's block structure walked to its end (GIF89a §17-27): every extension and image ends where its
/// sub-blocks say, and the file ends with its trailer. libvips 8.14 reads a GIF cut inside a later frame
/// without an error (it fills the frame in), so a cut animation would be stored as if whole; every cut GIF
/// fails this walk instead, wherever it was cut. Linear in the file, without decoding a pixel.
enum GIFStructure {
    /// Throws `corrupt_image` for a GIF that is cut short or has a block the format does not define.
    static func verify(_ bytes: [UInt8]) throws(ImagingError) {
        var walker = Walker(bytes: bytes)
        guard walker.verify() else {
            throw ImagingError(.corruptImage, "the image is damaged and cannot be read", detail: "GIF structure ends early or is malformed at byte \(walker.offset)")
        }
    }

    private struct Walker {
        let bytes: [UInt8]
        var offset = 0

        mutating func verify() -> Bool {
            // Header and logical screen descriptor, then the global colour table it announces.
            guard skip(6 + 4), let packed = byte(), skip(2) else { return false }
            if packed & 0x80 != 0, !skip(3 << ((Int(packed) & 7) + 1)) { return false }
            var images = 0
            while let introducer = byte() {
                switch introducer {
                case 0x21:  // extension: a label, then sub-blocks
                    guard skip(1), subBlocks() else { return false }
                case 0x2C:  // image: descriptor, local colour table, LZW code size, data sub-blocks
                    guard skip(8), let flags = byte() else { return false }
                    if flags & 0x80 != 0, !skip(3 << ((Int(flags) & 7) + 1)) { return false }
                    guard skip(1), subBlocks() else { return false }
                    images += 1
                case 0x3B:  // trailer: what follows it is no part of the image
                    return images > 0
                default:
                    offset -= 1
                    return false
                }
            }
            return false  // no trailer: cut short
        }

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func skip(_ count: Int) -> Bool {
            guard offset + count <= bytes.count else { return false }
            offset += count
            return true
        }

        /// Sub-blocks up to and including the zero-length terminator.
        mutating func subBlocks() -> Bool {
            while let size = byte() {
                if size == 0 { return true }
                guard skip(Int(size)) else { return false }
            }
            return false
        }
    }
}
