import Foundation

/// The transformations of a URL, `GET /images/{id}/t/{options}`: `w_800,h_600,fit_cover,fmt_webp,q_80,rot_90,gray`.
/// Options are separated by commas; each is a name, or a name, `_` and a value. Every field of the JSON spec has
/// one (README, "Transformations by URL"). The options are turned into the JSON spec and go through the same
/// parser, so both spellings validate alike, normalize alike and name the same variant; errors are reported
/// against the option (`options.w`), every bad one at once.
extension TransformationSpec {
    /// One URL option: its name, the JSON field it sets, and whether it takes a value.
    struct URLOption {
        enum Value { case none, integer, number, text, crop }
        var name: String
        /// Path of the field in `transformations`, e.g. `["resize", "width"]`.
        var field: [String]
        var value: Value
    }

    static let urlOptions: [URLOption] = [
        URLOption(name: "crop", field: ["crop"], value: .crop),
        URLOption(name: "w", field: ["resize", "width"], value: .integer),
        URLOption(name: "h", field: ["resize", "height"], value: .integer),
        URLOption(name: "fit", field: ["resize", "fit"], value: .text),
        URLOption(name: "g", field: ["resize", "gravity"], value: .text),
        URLOption(name: "rot", field: ["rotate"], value: .number),
        URLOption(name: "flip", field: ["flip"], value: .none),
        URLOption(name: "mirror", field: ["mirror"], value: .none),
        URLOption(name: "gray", field: ["filters", "grayscale"], value: .none),
        URLOption(name: "sepia", field: ["filters", "sepia"], value: .none),
        URLOption(name: "blur", field: ["filters", "blur"], value: .number),
        URLOption(name: "sharpen", field: ["filters", "sharpen"], value: .none),
        URLOption(name: "invert", field: ["filters", "invert"], value: .none),
        URLOption(name: "wm", field: ["watermark", "text"], value: .text),
        URLOption(name: "wmpos", field: ["watermark", "position"], value: .text),
        URLOption(name: "wmop", field: ["watermark", "opacity"], value: .number),
        URLOption(name: "fmt", field: ["format"], value: .text),
        URLOption(name: "q", field: ["quality"], value: .integer),
        URLOption(name: "compress", field: ["compress"], value: .none),
        URLOption(name: "still", field: ["animated"], value: .none),
    ]

    /// Other spellings accepted for an option; they mean exactly the same.
    static let urlOptionAliases = ["grayscale": "gray"]

    /// Parses the raw (still percent-encoded) options segment of the path. Values are percent-decoded after
    /// the split, so a watermark text may carry `%2C` for a comma. Groups separated by `|` are the steps of an
    /// ordered pipeline, one operation each: `w_400|crop_300:0:100:100|rot_90,fmt_png`; the output options
    /// (`fmt`, `q`, `compress`) may go in any group and apply to the result. Some clients send `|` as `%7C`,
    /// so that separates too (a watermark text in a URL cannot hold a bar; the JSON route's can).
    public static func parse(urlOptions raw: String) throws(SpecValidationError) -> TransformationSpec {
        if raw.isEmpty { throw SpecValidationError([.init(field: "options", message: "must name at least one transformation")]) }
        let groups = raw.replacingOccurrences(of: "%7C", with: "|").replacingOccurrences(of: "%7c", with: "|")
            .split(separator: "|", omittingEmptySubsequences: false)
        if groups.count > 1 { return try parsePipeline(urlOptions: groups) }
        var errors: [SpecValidationError.FieldError] = []
        var transformations: [String: JSONValue] = [:]
        parseGroup(raw[...], field: "options", into: &transformations, errors: &errors)
        return try parsed(.object(["transformations": .object(transformations)]), besides: errors)
    }

    /// The options of one group into the JSON `transformations` object they spell, errors named `<field>.<option>`.
    static func parseGroup(
        _ group: Substring, field prefix: String, into transformations: inout [String: JSONValue], errors: inout [SpecValidationError.FieldError]
    ) {
        var seen: Set<String> = []
        let tokens = group.split(separator: ",", omittingEmptySubsequences: false)
        for token in tokens {
            let (rawName, rawValue) = token.firstIndex(of: "_").map { (token[..<$0], Optional(token[token.index(after: $0)...])) } ?? (token, nil)
            let written = String(rawName).lowercased()
            let name = urlOptionAliases[written] ?? written
            guard !name.isEmpty else {
                errors.append(.init(field: prefix, message: "has an empty option (two commas in a row, or one at an end)"))
                continue
            }
            guard let option = urlOptions.first(where: { $0.name == name }) else {
                errors.append(.init(field: "\(prefix).\(written)", message: "unknown option; known: \(urlOptions.map(\.name).joined(separator: ", "))"))
                continue
            }
            guard seen.insert(name).inserted else {
                errors.append(.init(field: "\(prefix).\(name)", message: "is given more than once"))
                continue
            }
            let text = rawValue.map { String($0).removingPercentEncoding ?? String($0) }
            let field = "\(prefix).\(name)"
            let value: JSONValue
            switch (option.value, text) {
            case (.none, nil):
                value = .bool(name != "still")  // the one flag that sets its field to false
            case (.none, _?):
                errors.append(.init(field: field, message: "takes no value"))
                continue
            case (_, nil), (_, ""?):
                errors.append(.init(field: field, message: "needs a value: \(name)_<value>"))
                continue
            case (.integer, let text?), (.number, let text?):
                guard let number = Self.decimal(text) else {
                    errors.append(.init(field: field, message: "must be a number, not \"\(Self.shown(text))\""))
                    continue
                }
                value = .number(number)
            case (.text, let text?):
                value = .string(name == "wm" ? text : text.lowercased())
            case (.crop, let text?):
                let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Self.decimal(String($0)) }
                guard parts.count == 4, let x = parts[0], let y = parts[1], let w = parts[2], let h = parts[3] else {
                    errors.append(.init(field: field, message: "must be crop_<x>:<y>:<width>:<height>"))
                    continue
                }
                value = .object(["x": .number(x), "y": .number(y), "width": .number(w), "height": .number(h)])
            }
            transformations.set(option.field, to: value)
        }
    }

    static let outputOptionKeys: Set = ["format", "quality", "compress", "animated"]

    /// A pipeline by URL: each group one step, the output options gathered from all groups.
    static func parsePipeline(urlOptions groups: [Substring]) throws(SpecValidationError) -> TransformationSpec {
        var errors: [SpecValidationError.FieldError] = []
        var steps: [JSONValue] = []
        var output: [String: JSONValue] = [:]
        for (i, group) in groups.enumerated() {
            let field = "options[\(i)]"
            var transformations: [String: JSONValue] = [:]
            let before = errors.count
            parseGroup(group, field: field, into: &transformations, errors: &errors)
            for key in outputOptionKeys.sorted() {
                guard let value = transformations.removeValue(forKey: key) else { continue }
                if output.updateValue(value, forKey: key) != nil {
                    let name = urlOptions.first { $0.field == [key] }?.name ?? key
                    errors.append(.init(field: "\(field).\(name)", message: "is given more than once"))
                }
            }
            switch transformations.count {
            case 0 where errors.count == before && group.split(separator: ",").allSatisfy({ $0.isEmpty }):
                errors.append(.init(field: field, message: "is an empty step (two | in a row, or one at an end)"))
            case 0, 1:
                break  // only output options, or options already reported
            default:
                errors.append(.init(field: field, message: "holds \(transformations.keys.sorted().joined(separator: " and ")): one operation per step"))
            }
            // A step that is not one operation holds its place with one that changes nothing (and is dropped),
            // so the JSON parser's errors still name the right step.
            steps.append(transformations.count == 1 ? .object(transformations) : .object(["flip": .bool(false)]))
        }
        return try parsed(.object(["transformations": .object(output.merging(["pipeline": .array(steps)]) { $1 })]), besides: errors)
    }

    /// The spec of the JSON the options spell, or every error: the grammar's, and the JSON parser's named by
    /// their options, so every bad option is named at once. Left out are the parser's errors that would only
    /// echo a malformed option: an object's missing part (a resize's side, a watermark's text) when the
    /// malformed option was that part, and "empty" or "needs a step" when the malformed ones were all there was.
    static func parsed(_ body: JSONValue, besides grammarErrors: [SpecValidationError.FieldError]) throws(SpecValidationError) -> TransformationSpec {
        var errors = grammarErrors
        let spec: TransformationSpec
        do {
            spec = try parse(body: body)
        } catch {
            // "<options or options[i]> <the field's first key>" of each malformed option.
            let malformed = Set(grammarErrors.compactMap { error -> String? in
                guard let dot = error.field.lastIndex(of: "."), let option = urlOptions.first(where: { $0.name == error.field[error.field.index(after: dot)...] })
                else { return nil }
                return "\(error.field[..<dot]) \(option.field[0])"
            })
            for specError in error.errors {
                let field = urlOptionField(for: specError.field)
                if errors.contains(where: { $0.field == field }) { continue }
                let (prefix, path) = optionsAndPath(of: specError.field)
                if path.isEmpty, !grammarErrors.isEmpty { continue }
                if let top = path.first, malformed.contains("\(prefix) \(top)"), path.count == 1 || specError.message == "is required" { continue }
                errors.append(.init(field: field, message: specError.message))
            }
            throw SpecValidationError(errors)
        }
        if !errors.isEmpty { throw SpecValidationError(errors) }
        return spec
    }

    /// The option a field error of the JSON spec is about: `transformations.resize.width` is `options.w`, and
    /// a pipeline's `transformations.pipeline[2].crop` is `options[2].crop`.
    public static func urlOptionField(for specField: String) -> String {
        let (prefix, path) = optionsAndPath(of: specField)
        if path.isEmpty { return prefix }
        // The longest option field that the error's path starts with; a whole-object error (a resize with
        // only a fit, a watermark with no text) is about the option that carries the object's key field.
        if let option = urlOptions.filter({ Array(path.prefix($0.field.count)) == $0.field }).max(by: { $0.field.count < $1.field.count }) {
            return "\(prefix).\(option.name)"
        }
        switch path.first {
        case "resize": return "\(prefix).fit"
        case "watermark": return "\(prefix).wm"
        default: return prefix
        }
    }

    /// Which options a spec field is about (`options`, or a pipeline step's `options[2]`) and the field's
    /// path below them: `transformations.pipeline[2].resize.width` is (`options[2]`, [`resize`, `width`]).
    static func optionsAndPath(of specField: String) -> (options: String, path: [String]) {
        let path = specField.split(separator: ".").map(String.init).dropFirst()  // drop "transformations"
        guard let first = path.first, first.hasPrefix("pipeline") else { return ("options", Array(path)) }
        let index = first.dropFirst("pipeline".count)
        return (index.hasPrefix("[") && index.hasSuffix("]") ? "options" + index : "options", Array(path.dropFirst()))
    }

    /// The spec as URL options, in one canonical order and spelling: `parse(urlOptions:)` of it gives the
    /// same spec. Defaults are left out (a resize's `fit` with one side, `fill` with two; a watermark's
    /// bottom-right position and 0.5 opacity).
    public var urlOptions: String {
        if let pipeline {
            // One group per step, each spelled as the fixed-order spec of that step alone; the output options last.
            var groups = pipeline.map { step -> String in
                var one = TransformationSpec()
                switch step {
                case .crop(let crop): one.crop = crop
                case .resize(let resize): one.resize = resize
                case .rotate(let degrees): one.rotate = degrees
                case .flip: one.flip = true
                case .mirror: one.mirror = true
                case .filters(let filters): one.filters = filters
                case .watermark(let watermark): one.watermark = watermark
                }
                return one.urlOptions
            }
            var output = TransformationSpec()
            (output.format, output.quality, output.compress, output.animated) = (format, quality, compress, animated)
            if !output.isEmpty, let last = groups.popLast() { groups.append(last + "," + output.urlOptions) }
            return groups.joined(separator: "|")
        }
        var parts: [String] = []
        if let crop { parts.append("crop_\(crop.x):\(crop.y):\(crop.width):\(crop.height)") }
        if let resize {
            if let w = resize.width { parts.append("w_\(w)") }
            if let h = resize.height { parts.append("h_\(h)") }
            if resize.width != nil, resize.height != nil, resize.fit != .fill { parts.append("fit_\(resize.fit.rawValue)") }
            if resize.gravity != .centre { parts.append("g_\(resize.gravity.rawValue)") }
        }
        if let rotate { parts.append("rot_\(Self.spelled(rotate))") }
        if flip { parts.append("flip") }
        if mirror { parts.append("mirror") }
        if filters.grayscale { parts.append("gray") }
        if filters.sepia { parts.append("sepia") }
        if let blur = filters.blur { parts.append("blur_\(Self.spelled(blur))") }
        if filters.sharpen { parts.append("sharpen") }
        if filters.invert { parts.append("invert") }
        if let watermark {
            parts.append("wm_\(Self.percentEncoded(watermark.text))")
            if watermark.position != .bottomRight { parts.append("wmpos_\(watermark.position.rawValue)") }
            if watermark.opacity != 0.5 { parts.append("wmop_\(Self.spelled(watermark.opacity))") }
        }
        if let format { parts.append("fmt_\(format.rawValue)") }
        if let quality { parts.append("q_\(quality)") }
        if compress { parts.append("compress") }
        if !animated { parts.append("still") }
        return parts.joined(separator: ",")
    }

    /// A plain decimal: an optional minus, digits, an optional fraction. Not `1e3`, `inf`, `nan` or `0x10`,
    /// which `Double(_:)` would take.
    static func decimal(_ text: String) -> Double? {
        var rest = Substring(text)
        if rest.first == "-" { rest.removeFirst() }
        let pieces = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count), pieces.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            rest.count <= 24
        else { return nil }
        return Double(text)
    }

    /// A value as it may be echoed in a message: short, printable.
    static func shown(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.properties.generalCategory != .control }).prefix(40))
    }

    static func spelled(_ value: Double) -> String {
        if value.rounded() == value { return String(Int(value)) }
        var s = String(format: "%.3f", value)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    /// Everything but RFC 3986's unreserved characters, so the text survives the split on commas and any
    /// proxy's normalization.
    static func percentEncoded(_ text: String) -> String {
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

extension [String: JSONValue] {
    /// Sets a value at a nested path, making the objects on the way.
    fileprivate mutating func set(_ path: [String], to value: JSONValue) {
        guard let key = path.first else { return }
        if path.count == 1 {
            self[key] = value
            return
        }
        var inner: [String: JSONValue] = [:]
        if case .object(let existing)? = self[key] { inner = existing }
        inner.set(Array(path.dropFirst()), to: value)
        self[key] = .object(inner)
    }
}
