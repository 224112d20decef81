import Foundation
import Imaging

/// The URL grammar of a transformation, `GET /images/{id}/t/{options}`: `w_800,h_600,fit_cover,fmt_webp,q_80`.
/// Options are separated by commas; each is a name, or a name, `_` and a value. Every field of the JSON grammar
/// has one option (`options` below, the one table of the two spellings): the options fill the same fields and
/// go through `JSONTransformationParser`, so both spellings validate alike, normalize alike and name the same
/// variant. Errors are named by option (`options.w`, a pipeline step's `options[2].crop`), every bad one at once.
enum URLTransformationParser {
    /// One URL option: its name, the field of `transformations` it sets, and what value it takes.
    struct Option {
        enum Value { case none, integer, number, text, crop }
        var name: String
        /// Keys of the field in `transformations`, e.g. `["resize", "width"]`.
        var field: [String]
        var value: Value
    }

    static let options: [Option] = [
        Option(name: "crop", field: ["crop"], value: .crop),
        Option(name: "w", field: ["resize", "width"], value: .integer),
        Option(name: "h", field: ["resize", "height"], value: .integer),
        Option(name: "fit", field: ["resize", "fit"], value: .text),
        Option(name: "g", field: ["resize", "gravity"], value: .text),
        Option(name: "rot", field: ["rotate"], value: .number),
        Option(name: "flip", field: ["flip"], value: .none),
        Option(name: "mirror", field: ["mirror"], value: .none),
        Option(name: "gray", field: ["filters", "grayscale"], value: .none),
        Option(name: "sepia", field: ["filters", "sepia"], value: .none),
        Option(name: "blur", field: ["filters", "blur"], value: .number),
        Option(name: "sharpen", field: ["filters", "sharpen"], value: .none),
        Option(name: "invert", field: ["filters", "invert"], value: .none),
        Option(name: "wm", field: ["watermark", "text"], value: .text),
        Option(name: "wmpos", field: ["watermark", "position"], value: .text),
        Option(name: "wmop", field: ["watermark", "opacity"], value: .number),
        Option(name: "fmt", field: ["format"], value: .text),
        Option(name: "q", field: ["quality"], value: .integer),
        Option(name: "compress", field: ["compress"], value: .none),
        Option(name: "still", field: ["animated"], value: .none),
        Option(name: "dpr", field: ["dpr"], value: .number),
    ]

    /// Other spellings accepted for an option; they mean exactly the same.
    static let aliases = ["grayscale": "gray"]

    /// A problem of the grammar itself, before any field is known: at `options`, or a step's `options[i]`,
    /// and the option's name when there is one.
    struct GrammarError {
        var step: Int?
        var option: String?
        var message: String
    }

    /// Parses the raw (still percent-encoded) options segment of the path. Values are percent-decoded after
    /// the split, so a watermark text may carry `%2C` for a comma. Groups separated by `|` are the steps of an
    /// ordered pipeline, one operation each: `w_400|crop_300:0:100:100|rot_90,fmt_png`; the output options
    /// (`fmt`, `q`, `compress`, `still`, `dpr`) may go in any group and apply to the result. Some clients send `|` as
    /// `%7C`, so that separates too (a watermark text in a URL cannot hold a bar; the JSON route's can).
    /// Errors are thrown rendered, as the URL names them.
    static func parse(_ raw: String) throws(TransformationErrors) -> TransformationSpec {
        if raw.isEmpty { throw TransformationErrors([.init(field: "options", message: "must name at least one transformation")]) }
        let groups = pieces(barsDecoded(raw)[...], at: "|")
        var errors: [GrammarError] = []
        let transformations: [String: JSONValue]
        if groups.count > 1 {
            transformations = pipeline(of: groups, errors: &errors)
        } else {
            transformations = fields(of: raw[...], step: nil, errors: &errors)
        }
        return try parsed(transformations, besides: errors)
    }

    /// `raw` with each `%7C` or `%7c` as the bar it encodes, replaced byte by byte (all three are ASCII, so this
    /// is safe in UTF-8): `replacingOccurrences` compares Characters, and a `C` that a combining mark follows is
    /// another grapheme, so `%7C\u{64C}` was left as it was and its bar reached a watermark's text (the fuzzer
    /// found it).
    static func barsDecoded(_ raw: String) -> String {
        var bytes = Array(raw.utf8)
        var i = 0, kept = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "7"),
                bytes[i + 2] == UInt8(ascii: "C") || bytes[i + 2] == UInt8(ascii: "c")
            {
                bytes[kept] = UInt8(ascii: "|")
                i += 3
            } else {
                bytes[kept] = bytes[i]
                i += 1
            }
            kept += 1
        }
        return String(decoding: bytes[..<kept], as: UTF8.self)
    }

    /// The pieces of `text` between every `separator`, split by Unicode scalars: splitting by `Character` did
    /// not split at a separator that a combining mark follows (the two are one grapheme), so `w_1|\u{64C}...`
    /// was one step whose canonical spelling then read as two (the fuzzer found it).
    static func pieces(_ text: Substring, at separator: Unicode.Scalar) -> [Substring] {
        text.unicodeScalars.split(separator: separator, omittingEmptySubsequences: false).map(Substring.init)
    }

    /// The options of one group as the `transformations` fields they spell.
    static func fields(of group: Substring, step: Int?, errors: inout [GrammarError]) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        var seen: Set<String> = []
        for token in pieces(group, at: ",") {
            let scalars = token.unicodeScalars
            let (rawName, rawValue) = scalars.firstIndex(of: "_").map {
                (Substring(scalars[..<$0]), Optional(Substring(scalars[scalars.index(after: $0)...])))
            } ?? (token, nil)
            let written = String(rawName).lowercased()
            let name = aliases[written] ?? written
            guard !name.isEmpty else {
                errors.append(.init(step: step, message: "has an empty option (two commas in a row, or one at an end)"))
                continue
            }
            guard let option = options.first(where: { $0.name == name }) else {
                errors.append(.init(step: step, option: written, message: "unknown option; known: \(options.map(\.name).joined(separator: ", "))"))
                continue
            }
            guard seen.insert(name).inserted else {
                errors.append(.init(step: step, option: name, message: "is given more than once"))
                continue
            }
            let text = rawValue.map { String($0).removingPercentEncoding ?? String($0) }
            let value: JSONValue
            switch (option.value, text) {
            case (.none, nil):
                value = .bool(name != "still")  // the one flag that sets its field to false
            case (.none, _?):
                errors.append(.init(step: step, option: name, message: "takes no value"))
                continue
            case (_, nil), (_, ""?):
                errors.append(.init(step: step, option: name, message: "needs a value: \(name)_<value>"))
                continue
            case (.integer, let text?), (.number, let text?):
                guard let number = decimal(text) else {
                    errors.append(.init(step: step, option: name, message: "must be a number, not \"\(shown(text))\""))
                    continue
                }
                value = .number(number)
            case (.text, let text?):
                value = .string(name == "wm" ? text : text.lowercased())
            case (.crop, let text?):
                let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { decimal(String($0)) }
                guard parts.count == 4, let x = parts[0], let y = parts[1], let w = parts[2], let h = parts[3] else {
                    errors.append(.init(step: step, option: name, message: "must be crop_<x>:<y>:<width>:<height>"))
                    continue
                }
                value = .object(["x": .number(x), "y": .number(y), "width": .number(w), "height": .number(h)])
            }
            fields.set(option.field, to: value)
        }
        return fields
    }

    /// A pipeline by URL: each group one step, the output options gathered from all groups.
    static func pipeline(of groups: [Substring], errors: inout [GrammarError]) -> [String: JSONValue] {
        var steps: [JSONValue] = []
        var output: [String: JSONValue] = [:]
        for (i, group) in groups.enumerated() {
            let before = errors.count
            var fields = fields(of: group, step: i, errors: &errors)
            for key in JSONTransformationParser.outputKeys {
                guard let value = fields.removeValue(forKey: key) else { continue }
                if output.updateValue(value, forKey: key) != nil {
                    errors.append(.init(step: i, option: options.first { $0.field == [key] }?.name ?? key, message: "is given more than once"))
                }
            }
            switch fields.count {
            case 0 where errors.count == before && group.split(separator: ",").allSatisfy({ $0.isEmpty }):
                errors.append(.init(step: i, message: "is an empty step (two | in a row, or one at an end)"))
            case 0, 1:
                break  // only output options, or options already reported
            default:
                errors.append(.init(step: i, message: "holds \(fields.keys.sorted().joined(separator: " and ")): one operation per step"))
            }
            // A step that is not one operation holds its place with one that changes nothing (and is dropped),
            // so the JSON parser's errors still name the right step.
            steps.append(fields.count == 1 ? .object(fields) : .object(["flip": .bool(false)]))
        }
        return output.merging(["pipeline": .array(steps)]) { $1 }
    }

    /// The spec the fields spell, or every error: the grammar's, and the JSON parser's named by their options,
    /// so every bad option is named at once. Left out are the parser's errors that would only echo a malformed
    /// option: an object's missing part (a resize's side, a watermark's text) when the malformed option was
    /// that part, and "empty" or "needs a step" when the malformed ones were all there was.
    static func parsed(_ transformations: [String: JSONValue], besides grammarErrors: [GrammarError]) throws(TransformationErrors) -> TransformationSpec {
        var rendered = grammarErrors.map(render)
        let spec: TransformationSpec
        do {
            spec = try JSONTransformationParser.parse(transformations: .object(transformations))
        } catch {
            // The step and operation of each malformed option.
            let malformed = grammarErrors.compactMap { error -> String? in
                guard let name = error.option, let option = options.first(where: { $0.name == name }) else { return nil }
                return "\(error.step ?? -1) \(option.field[0])"
            }
            for specError in error.errors {
                let field = TransformationGrammar.url.name(specError.path)
                if rendered.contains(where: { $0.field == field }) { continue }
                let keys = specError.path.keys
                if keys.isEmpty, !grammarErrors.isEmpty { continue }
                let step: Int? = if case .step(let i, _) = specError.path { i } else { nil }
                if let top = keys.first, malformed.contains("\(step ?? -1) \(top)"), keys.count == 1 || specError.message == "is required" { continue }
                rendered.append(.init(field: field, message: specError.message))
            }
            throw TransformationErrors(rendered)
        }
        if !rendered.isEmpty { throw TransformationErrors(rendered) }
        return spec
    }

    static func render(_ error: GrammarError) -> Problem.FieldError {
        let at = "options" + (error.step.map { "[\($0)]" } ?? "")
        return .init(field: error.option.map { "\(at).\($0)" } ?? at, message: error.message)
    }

    /// The option a field of the spec is set by: the longest option field that the keys start with; a
    /// whole-object error (a resize with only a fit, a watermark with no text) is about the option that
    /// carries the object's key field.
    static func option(for keys: [String]) -> String? {
        if let option = options.filter({ Array(keys.prefix($0.field.count)) == $0.field }).max(by: { $0.field.count < $1.field.count }) {
            return option.name
        }
        switch keys.first {
        case "resize": return "fit"
        case "watermark": return "wm"
        default: return nil
        }
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
