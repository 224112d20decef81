import Crypto
import Foundation

extension TransformationSpec {
    /// The spec as canonical JSON: keys sorted, defaults written out, no-ops left out, numbers in one
    /// spelling. Equal specs give equal bytes; it is also what the API shows as the variant's `transformations`.
    public var canonicalJSON: String {
        var fields: [(String, String)] = []
        if let pipeline {
            // Steps keep their order; within each, keys are sorted as everywhere.
            fields.append(("pipeline", "[" + pipeline.map { object([stepField($0)]) }.joined(separator: ",") + "]"))
        } else {
            if let crop { fields.append(stepField(.crop(crop))) }
            if let resize { fields.append(stepField(.resize(resize))) }
            if let rotate { fields.append(stepField(.rotate(rotate))) }
            if flip { fields.append(stepField(.flip)) }
            if mirror { fields.append(stepField(.mirror)) }
            if !filters.isEmpty { fields.append(stepField(.filters(filters))) }
            if let watermark { fields.append(stepField(.watermark(watermark))) }
        }
        if let format { fields.append(("format", quoted(format.rawValue))) }
        if let quality { fields.append(("quality", "\(quality)")) }
        if compress { fields.append(("compress", "true")) }
        // The default (keep the frames) is left out, so specs from before keep their hash.
        if !animated { fields.append(("animated", "false")) }
        return object(fields.sorted { $0.0 < $1.0 })
    }

    /// One operation as its key and canonical value, the same in a pipeline and in the fixed-order object.
    private func stepField(_ step: Step) -> (String, String) {
        switch step {
        case .crop(let crop):
            return ("crop", object([("height", "\(crop.height)"), ("width", "\(crop.width)"), ("x", "\(crop.x)"), ("y", "\(crop.y)")]))
        case .resize(let resize):
            var parts = [("fit", quoted(resize.fit.rawValue))]
            // The default is left out, so specs from before gravity existed keep their hash.
            if resize.gravity != .centre { parts.append(("gravity", quoted(resize.gravity.rawValue))) }
            if let h = resize.height { parts.append(("height", "\(h)")) }
            if let w = resize.width { parts.append(("width", "\(w)")) }
            return ("resize", object(parts))
        case .rotate(let degrees):
            return ("rotate", number(degrees))
        case .flip:
            return ("flip", "true")
        case .mirror:
            return ("mirror", "true")
        case .filters(let filters):
            var parts: [(String, String)] = []
            if let blur = filters.blur { parts.append(("blur", number(blur))) }
            if filters.grayscale { parts.append(("grayscale", "true")) }
            if filters.invert { parts.append(("invert", "true")) }
            if filters.sepia { parts.append(("sepia", "true")) }
            if filters.sharpen { parts.append(("sharpen", "true")) }
            return ("filters", object(parts))
        case .watermark(let watermark):
            return ("watermark", object([
                ("opacity", number(watermark.opacity)), ("position", quoted(watermark.position.rawValue)),
                ("text", quoted(watermark.text)),
            ]))
        }
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
