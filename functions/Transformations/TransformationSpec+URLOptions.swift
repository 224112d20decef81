import Foundation
import Imaging

extension TransformationSpec {
    /// The spec as URL options, in one canonical order and spelling: `URLTransformationParser` of it gives the
    /// same spec. Defaults are left out (a resize's `fit` with one side, `fill` with two; a watermark's
    /// bottom-right position and 0.5 opacity). A pipeline is one group per step, the output options last.
    public var urlOptions: String {
        var groups: [[String]]
        if isFixedOrder {
            groups = [steps.flatMap(Self.urlOptions(of:))]
        } else {
            groups = steps.map(Self.urlOptions(of:))
        }
        var output: [String] = []
        if autoFormat { output.append("fmt_auto") } else if let format { output.append("fmt_\(format.rawValue)") }
        if let quality { output.append("q_\(quality)") }
        if compress { output.append("compress") }
        if !animated { output.append("still") }
        if let devicePixelRatio { output.append("dpr_\(Self.spelled(devicePixelRatio))") }
        groups[groups.count - 1] += output
        return groups.map { $0.joined(separator: ",") }.joined(separator: "|")
    }

    private static func urlOptions(of step: Step) -> [String] {
        switch step {
        case .crop(let crop):
            return ["crop_\(crop.x):\(crop.y):\(crop.width):\(crop.height)"]
        case .resize(let resize):
            var parts: [String] = []
            if let w = resize.width { parts.append("w_\(w)") }
            if let h = resize.height { parts.append("h_\(h)") }
            if resize.width != nil, resize.height != nil, resize.fit != .fill { parts.append("fit_\(resize.fit.rawValue)") }
            if resize.gravity != .centre { parts.append("g_\(resize.gravity.rawValue)") }
            return parts
        case .rotate(let degrees):
            return ["rot_\(spelled(degrees))"]
        case .flip:
            return ["flip"]
        case .mirror:
            return ["mirror"]
        case .filters(let filters):
            var parts: [String] = []
            if filters.grayscale { parts.append("gray") }
            if filters.sepia { parts.append("sepia") }
            if let blur = filters.blur { parts.append("blur_\(spelled(blur))") }
            if filters.sharpen { parts.append("sharpen") }
            if filters.invert { parts.append("invert") }
            return parts
        case .watermark(let watermark):
            var parts = ["wm_\(percentEncoded(watermark.text))"]
            if watermark.position != .bottomRight { parts.append("wmpos_\(watermark.position.rawValue)") }
            if watermark.opacity != 0.5 { parts.append("wmop_\(spelled(watermark.opacity))") }
            return parts
        }
    }

    private static func spelled(_ value: Double) -> String {
        if value.rounded() == value { return String(Int(value)) }
        var s = String(format: "%.3f", value)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    /// Everything but RFC 3986's unreserved characters, so the text survives the split on commas and any
    /// proxy's normalization.
    private static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
