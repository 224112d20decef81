#if canImport(Glibc)
import Glibc
#endif

/// BlurHash (blurha.sh, by Wolt): a few dozen characters that a client decodes into a blurred placeholder
/// while the image loads. The image's colours, made linear, are projected onto `x` by `y` cosine bases (a
/// small DCT); the DC term is kept as 8-bit sRGB, the AC terms are quantized against their largest magnitude,
/// and all is written in base 83: one character of size flag, one of maximum, four of DC, two per AC term.
///
/// The arithmetic follows the reference C encoder exactly, single precision where it is single and double
/// where C promotes, so the strings are the reference's byte for byte (`BlurHashTests` compares them with
/// the reference's Python binding on the same pixels).
public enum BlurHash {
    /// - Parameter rgb: 8-bit sRGB, three bytes a pixel, rows top to bottom without padding.
    public static func encode(rgb: [UInt8], width: Int, height: Int, xComponents: Int = 4, yComponents: Int = 3) -> String? {
        guard (1...9).contains(xComponents), (1...9).contains(yComponents), width > 0, height > 0, rgb.count >= width * height * 3 else {
            return nil
        }
        // The linear value of each byte, once.
        let linear = (0...255).map { sRGBToLinear($0) }
        var factors: [(Float, Float, Float)] = []
        for j in 0..<yComponents {
            for i in 0..<xComponents {
                factors.append(basisProjection(i, j, width: width, height: height, rgb: rgb, linear: linear))
            }
        }
        var hash = ""
        append(&hash, (xComponents - 1) + (yComponents - 1) * 9, digits: 1)
        let ac = factors.dropFirst()
        let maximum: Float
        if ac.isEmpty {
            maximum = 1
            append(&hash, 0, digits: 1)
        } else {
            var actual: Float = 0
            for (r, g, b) in ac { actual = fmaxf(fmaxf(fmaxf(fabsf(r), fabsf(g)), fabsf(b)), actual) }
            // `actual * 166 - 0.5` is single times int, then double (C's 0.5 is a double).
            let quantized = Int(fmaxf(0, fminf(82, floorf(Float(Double(actual * 166) - 0.5)))))
            maximum = (Float(quantized) + 1) / 166
            append(&hash, quantized, digits: 1)
        }
        let dc = factors[0]
        append(&hash, (linearToSRGB(dc.0) << 16) + (linearToSRGB(dc.1) << 8) + linearToSRGB(dc.2), digits: 4)
        for (r, g, b) in ac {
            func quantize(_ v: Float) -> Int { Int(fmaxf(0, fminf(18, floorf(Float(Double(signPow(v / maximum, 0.5) * 9) + 9.5))))) }
            append(&hash, quantize(r) * 19 * 19 + quantize(g) * 19 + quantize(b), digits: 2)
        }
        return hash
    }

    static func basisProjection(
        _ i: Int, _ j: Int, width: Int, height: Int, rgb: [UInt8], linear: [Float]
    ) -> (Float, Float, Float) {
        var (r, g, b): (Float, Float, Float) = (0, 0, 0)
        let normalisation: Float = (i == 0 && j == 0) ? 1 : 2
        for y in 0..<height {
            for x in 0..<width {
                // As C computes it: the angle in double, its cosine in single precision.
                let basis = cosf(Float(Double.pi * Double(i) * Double(x) / Double(width)))
                    * cosf(Float(Double.pi * Double(j) * Double(y) / Double(height)))
                let p = 3 * (x + y * width)
                r += basis * linear[Int(rgb[p])]
                g += basis * linear[Int(rgb[p + 1])]
                b += basis * linear[Int(rgb[p + 2])]
            }
        }
        let scale = normalisation / Float(width * height)
        return (r * scale, g * scale, b * scale)
    }

    static func sRGBToLinear(_ value: Int) -> Float {
        let v = Float(value) / 255
        if Double(v) <= 0.04045 { return Float(Double(v) / 12.92) }
        return powf(Float((Double(v) + 0.055) / 1.055), 2.4)
    }

    static func linearToSRGB(_ value: Float) -> Int {
        let v = fmaxf(0, fminf(1, value))
        if Double(v) <= 0.0031308 { return Int(Double(v) * 12.92 * 255 + 0.5) }
        return Int((1.055 * Double(powf(v, Float(1 / 2.4))) - 0.055) * 255 + 0.5)
    }

    static func signPow(_ value: Float, _ exponent: Float) -> Float {
        copysignf(powf(fabsf(value), exponent), value)
    }

    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~")

    static func append(_ hash: inout String, _ value: Int, digits: Int) {
        var divisor = 1
        for _ in 1..<max(digits, 1) { divisor *= 83 }
        for _ in 0..<digits {
            hash.append(alphabet[(value / divisor) % 83])
            divisor /= 83
        }
    }
}
