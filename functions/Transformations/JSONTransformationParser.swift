import Imaging

/// The JSON grammar of a transformation: a request body `{"transformations": {...}}` (API.md,
/// "Transformations") into a normalized spec. Every bad field is reported at once (unknown keys, wrong types,
/// out-of-range values), each at its typed place; `TransformationErrors` renders them as
/// `transformations.resize.width`. The URL grammar (`URLTransformationParser`) spells the same fields and
/// comes through here, so both validate and normalize alike.
struct JSONTransformationParser {
    private(set) var errors: [SpecValidationError.FieldError] = []

    static let maxSide = 8192
    static let maxPipelineSteps = 16
    /// The operations in the order their errors are reported (the fixed order runs crop first).
    static let operationKeys = ["resize", "crop", "rotate", "flip", "mirror", "filters", "watermark"]
    static let outputKeys = ["format", "quality", "compress", "animated", "dpr"]

    /// Parses a request body; throws every error found.
    static func parse(body: JSONValue) throws(SpecValidationError) -> TransformationSpec {
        var parser = JSONTransformationParser()
        let spec = parser.parseBody(body)
        if !parser.errors.isEmpty { throw SpecValidationError(parser.errors) }
        return spec
    }

    /// Parses the value of `transformations` alone (what the URL grammar spells); throws every error found.
    static func parse(transformations: JSONValue) throws(SpecValidationError) -> TransformationSpec {
        var parser = JSONTransformationParser()
        let spec = parser.parseTransformations(transformations)
        parser.refuseEmpty(spec)
        if !parser.errors.isEmpty { throw SpecValidationError(parser.errors) }
        return spec
    }

    mutating func fail(_ path: FieldPath, _ message: String) {
        errors.append(.init(path, message))
    }

    mutating func parseBody(_ body: JSONValue) -> TransformationSpec {
        guard case .object(let root) = body else {
            fail(.request(nil), "the body must be a JSON object with a \"transformations\" object")
            return TransformationSpec()
        }
        for key in root.keys.sorted() where key != "transformations" { fail(.request(key), "unknown field") }
        guard let value = root["transformations"] else {
            fail(.field([]), "is required")
            return TransformationSpec()
        }
        let spec = parseTransformations(value)
        refuseEmpty(spec)
        return spec
    }

    mutating func refuseEmpty(_ spec: TransformationSpec) {
        if errors.isEmpty, spec.isEmpty { fail(.field([]), "must contain at least one transformation that changes the image") }
    }

    mutating func parseTransformations(_ value: JSONValue) -> TransformationSpec {
        var spec = TransformationSpec()
        guard let object = object(value, at: .field([])) else { return spec }
        let known = Set(Self.operationKeys + Self.outputKeys + ["pipeline"])
        for key in object.keys.sorted() where !known.contains(key) { fail(.field([key]), "unknown transformation") }
        if let v = object["pipeline"] {
            for key in object.keys.sorted() where Self.operationKeys.contains(key) {
                fail(.field([key]), "goes inside the pipeline: a pipeline and the fixed-order fields do not mix")
                if let kind = TransformationSpec.Step.Kind(rawValue: key), let v = object[key] { _ = parseStep(kind, v, at: .field([key])) }
            }
            spec.steps = parsePipeline(v)
        } else {
            var steps: [TransformationSpec.Step] = []
            for key in Self.operationKeys {
                guard let v = object[key], let kind = TransformationSpec.Step.Kind(rawValue: key) else { continue }
                if let step = parseStep(kind, v, at: .field([key])) { steps.append(step) }
            }
            spec.steps = steps.sorted { $0.kind < $1.kind }
        }
        if let v = object["format"], let name = string(v, at: .field(["format"])) {
            if name.lowercased() == "auto" {
                spec.autoFormat = true
            } else if let format = ImageFormat(rawValue: name.lowercased()) ?? (name.lowercased() == "jpg" ? .jpeg : nil) {
                spec.format = format
            } else {
                fail(.field(["format"]), "must be auto or one of \(ImageFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let v = object["quality"] { spec.quality = integer(v, at: .field(["quality"]), in: 1...100) }
        if let v = object["compress"] { spec.compress = bool(v, at: .field(["compress"])) ?? false }
        if let v = object["animated"] { spec.animated = bool(v, at: .field(["animated"])) ?? true }
        if let v = object["dpr"], let ratio = number(v, at: .field(["dpr"])) {
            if ratio >= 1, ratio <= 4 {
                spec.devicePixelRatio = ratio == 1 ? nil : ratio
            } else {
                fail(.field(["dpr"]), "must be a number from 1 to 4")
            }
        }
        return spec
    }

    /// Each step an object of exactly one operation, parsed as its fixed-order field is; steps that change
    /// nothing are dropped.
    mutating func parsePipeline(_ value: JSONValue) -> [TransformationSpec.Step] {
        guard case .array(let items) = value else {
            fail(.pipeline, "must be an array of steps, not \(value.kind)")
            return []
        }
        if items.isEmpty { fail(.pipeline, "needs at least one step") }
        if items.count > Self.maxPipelineSteps { fail(.pipeline, "has \(items.count) steps; at most \(Self.maxPipelineSteps) are allowed") }
        let kinds = TransformationSpec.Step.Kind.allCases.map(\.rawValue).joined(separator: ", ")
        var steps: [TransformationSpec.Step] = []
        for (i, item) in items.prefix(Self.maxPipelineSteps).enumerated() {
            guard case .object(let step) = item, step.count == 1, let (key, v) = step.first else {
                fail(.step(i, []), "must be an object with exactly one of \(kinds)")
                continue
            }
            guard let kind = TransformationSpec.Step.Kind(rawValue: key) else {
                fail(.step(i, []), "unknown step \"\(key)\"; one of \(kinds)")
                continue
            }
            if let step = parseStep(kind, v, at: .step(i, [key])) { steps.append(step) }
        }
        return steps
    }

    /// One operation's value, the same in the fixed-order object and in a pipeline step; nil for one that
    /// changes nothing or is invalid (reported).
    mutating func parseStep(_ kind: TransformationSpec.Step.Kind, _ v: JSONValue, at path: FieldPath) -> TransformationSpec.Step? {
        switch kind {
        case .crop: parseCrop(v, at: path).map { .crop($0) }
        case .resize: parseResize(v, at: path).map { .resize($0) }
        case .rotate: parseRotate(v, at: path).map { .rotate($0) }
        case .flip: bool(v, at: path) == true ? .flip : nil
        case .mirror: bool(v, at: path) == true ? .mirror : nil
        case .filters: parseFilters(v, at: path).map { .filters($0) }
        case .watermark: parseWatermark(v, at: path).map { .watermark($0) }
        }
    }

    /// Degrees, normalized; nil for none (a multiple of 360) or a bad value (reported).
    mutating func parseRotate(_ value: JSONValue, at path: FieldPath) -> Double? {
        guard let angle = number(value, at: path) else { return nil }
        guard angle.isFinite, abs(angle) <= 1e9 else {
            fail(path, "must be a finite angle in degrees")
            return nil
        }
        return Self.normalizedAngle(angle)
    }

    mutating func parseResize(_ value: JSONValue, at path: FieldPath) -> TransformationSpec.Resize? {
        guard let object = object(value, at: path) else { return nil }
        refuseUnknown(object, known: ["width", "height", "fit", "gravity"], at: path, "unknown field")
        let width = object["width"].flatMap { integer($0, at: path + "width", in: 1...Self.maxSide) }
        let height = object["height"].flatMap { integer($0, at: path + "height", in: 1...Self.maxSide) }
        var fit: TransformationSpec.Fit?
        if let v = object["fit"], let name = string(v, at: path + "fit") {
            fit = TransformationSpec.Fit(rawValue: name)
            if fit == nil { fail(path + "fit", "must be one of fill, cover, contain, inside") }
        }
        var gravity: TransformationSpec.Gravity?
        if let v = object["gravity"], let name = string(v, at: path + "gravity") {
            gravity = TransformationSpec.Gravity(rawValue: name == "center" ? "centre" : name)
            if gravity == nil {
                fail(path + "gravity", "must be one of \(TransformationSpec.Gravity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if object["width"] == nil, object["height"] == nil { fail(path, "needs width, height or both") }
        guard width != nil || height != nil else { return nil }
        let resize = TransformationSpec.Resize(width: width, height: height, requestedFit: fit, gravity: gravity)
        if let gravity, gravity != .centre, resize.fit != .cover {
            fail(path + "gravity", "applies to fit cover with both width and height: it says which part the crop keeps")
        }
        return resize
    }

    mutating func parseCrop(_ value: JSONValue, at path: FieldPath) -> TransformationSpec.Crop? {
        guard let object = object(value, at: path) else { return nil }
        refuseUnknown(object, known: ["x", "y", "width", "height"], at: path, "unknown field")
        var parts: [String: Int] = [:]
        for (key, range) in [("x", 0...65_535), ("y", 0...65_535), ("width", 1...65_535), ("height", 1...65_535)] {
            guard let v = object[key] else {
                fail(path + key, "is required")
                continue
            }
            parts[key] = integer(v, at: path + key, in: range)
        }
        guard let x = parts["x"], let y = parts["y"], let width = parts["width"], let height = parts["height"] else { return nil }
        return .init(x: x, y: y, width: width, height: height)
    }

    /// The filters, or nil for none.
    mutating func parseFilters(_ value: JSONValue, at path: FieldPath) -> TransformationSpec.Filters? {
        var filters = TransformationSpec.Filters()
        guard let object = object(value, at: path) else { return nil }
        refuseUnknown(object, known: ["grayscale", "sepia", "blur", "sharpen", "invert"], at: path, "unknown filter")
        filters.grayscale = object["grayscale"].flatMap { bool($0, at: path + "grayscale") } ?? false
        filters.sepia = object["sepia"].flatMap { bool($0, at: path + "sepia") } ?? false
        filters.sharpen = object["sharpen"].flatMap { bool($0, at: path + "sharpen") } ?? false
        filters.invert = object["invert"].flatMap { bool($0, at: path + "invert") } ?? false
        if let v = object["blur"], let sigma = number(v, at: path + "blur") {
            if sigma == 0 {
                filters.blur = nil  // no blur
            } else if sigma >= 0.3, sigma <= 100 {
                filters.blur = (sigma * 1000).rounded() / 1000
            } else {
                fail(path + "blur", "must be a Gaussian sigma from 0.3 to 100")
            }
        }
        return filters.isEmpty ? nil : filters
    }

    mutating func parseWatermark(_ value: JSONValue, at path: FieldPath) -> TransformationSpec.Watermark? {
        guard let object = object(value, at: path) else { return nil }
        refuseUnknown(object, known: ["text", "position", "opacity"], at: path, "unknown field")
        var text: String?
        if let v = object["text"], let s = string(v, at: path + "text") {
            if s.isEmpty || s.count > 200 {
                fail(path + "text", "must be 1 to 200 characters")
            } else if s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                fail(path + "text", "must not contain control characters")
            } else {
                text = s
            }
        } else if object["text"] == nil {
            fail(path + "text", "is required")
        }
        var position = TransformationSpec.Position.bottomRight
        if let v = object["position"], let name = string(v, at: path + "position") {
            if let p = TransformationSpec.Position(rawValue: name) {
                position = p
            } else {
                fail(path + "position", "must be one of \(TransformationSpec.Position.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var opacity = 0.5
        if let v = object["opacity"], let o = number(v, at: path + "opacity") {
            if o >= 0, o <= 1 { opacity = (o * 1000).rounded() / 1000 } else { fail(path + "opacity", "must be from 0 to 1") }
        }
        guard let text, opacity > 0 else { return nil }  // an invisible watermark changes nothing
        return .init(text: text, position: position, opacity: opacity)
    }

    /// Degrees into [0, 360), rounded to a thousandth so that 90 and 90.0000000001 are the same request.
    /// Rounded after the remainder (which is exact), not before: a large angle rounded first kept the
    /// remainder's error (55555555.0555 became 355.05599999940395, which no URL spelling reads back as; the
    /// fuzzer found it).
    static func normalizedAngle(_ angle: Double) -> Double? {
        var a = angle.truncatingRemainder(dividingBy: 360)
        if a < 0 { a += 360 }
        a = (a * 1000).rounded() / 1000
        if a >= 360 { a -= 360 }
        return a == 0 ? nil : a
    }

    // MARK: Typed access, each failing with a field error

    mutating func refuseUnknown(_ object: [String: JSONValue], known: Set<String>, at path: FieldPath, _ message: String) {
        for key in object.keys.sorted() where !known.contains(key) { fail(path + key, message) }
    }

    mutating func object(_ value: JSONValue, at path: FieldPath) -> [String: JSONValue]? {
        if case .object(let o) = value { return o }
        fail(path, "must be an object, not \(value.kind)")
        return nil
    }

    mutating func bool(_ value: JSONValue, at path: FieldPath) -> Bool? {
        if case .bool(let b) = value { return b }
        fail(path, "must be true or false, not \(value.kind)")
        return nil
    }

    mutating func string(_ value: JSONValue, at path: FieldPath) -> String? {
        if case .string(let s) = value { return s }
        fail(path, "must be a string, not \(value.kind)")
        return nil
    }

    mutating func number(_ value: JSONValue, at path: FieldPath) -> Double? {
        if case .number(let n) = value { return n }
        fail(path, "must be a number, not \(value.kind)")
        return nil
    }

    mutating func integer(_ value: JSONValue, at path: FieldPath, in range: ClosedRange<Int>) -> Int? {
        guard let n = number(value, at: path) else { return nil }
        guard n.rounded() == n, n >= Double(range.lowerBound), n <= Double(range.upperBound) else {
            fail(path, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return Int(n)
    }
}

extension FieldPath {
    /// The field one key further down.
    static func + (path: FieldPath, key: String) -> FieldPath {
        switch path {
        case .field(let keys): .field(keys + [key])
        case .step(let i, let keys): .step(i, keys + [key])
        case .request, .pipeline: path
        }
    }
}
