import Crypto
import Foundation

extension TransformationSpec {
    /// The spec as canonical JSON: keys sorted, defaults written out, no-ops left out, numbers in one
    /// spelling. Equal specs give equal bytes; it is also what the API shows as the variant's `transformations`.
    public var canonicalJSON: String {
        var fields: [(String, String)] = []
        if let crop {
            fields.append(("crop", object([("height", "\(crop.height)"), ("width", "\(crop.width)"), ("x", "\(crop.x)"), ("y", "\(crop.y)")])))
        }
        if let resize {
            var parts = [("fit", quoted(resize.fit.rawValue))]
            // The default is left out, so specs from before gravity existed keep their hash.
            if resize.gravity != .centre { parts.append(("gravity", quoted(resize.gravity.rawValue))) }
            if let h = resize.height { parts.append(("height", "\(h)")) }
            if let w = resize.width { parts.append(("width", "\(w)")) }
            fields.append(("resize", object(parts)))
        }
        if let rotate { fields.append(("rotate", number(rotate))) }
        if flip { fields.append(("flip", "true")) }
        if mirror { fields.append(("mirror", "true")) }
        if !filters.isEmpty {
            var parts: [(String, String)] = []
            if let blur = filters.blur { parts.append(("blur", number(blur))) }
            if filters.grayscale { parts.append(("grayscale", "true")) }
            if filters.invert { parts.append(("invert", "true")) }
            if filters.sepia { parts.append(("sepia", "true")) }
            if filters.sharpen { parts.append(("sharpen", "true")) }
            fields.append(("filters", object(parts)))
        }
        if let watermark {
            fields.append(("watermark", object([
                ("opacity", number(watermark.opacity)), ("position", quoted(watermark.position.rawValue)),
                ("text", quoted(watermark.text)),
            ])))
        }
        if let format { fields.append(("format", quoted(format.rawValue))) }
        if let quality { fields.append(("quality", "\(quality)")) }
        if compress { fields.append(("compress", "true")) }
        return object(fields.sorted { $0.0 < $1.0 })
    }

    /// SHA-256 of the canonical JSON, hex: names the variant (its storage key and cache key).
    public var hash: String {
        SHA256.hash(data: Data(("v1:" + canonicalJSON).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(quoted($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    private func quoted(_ s: String) -> String {
        let data = (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Whole numbers without a fraction (`90`), others with up to three decimals (`12.5`).
    private func number(_ value: Double) -> String {
        if value.rounded() == value { return String(Int(value)) }
        var s = String(format: "%.3f", value)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}
