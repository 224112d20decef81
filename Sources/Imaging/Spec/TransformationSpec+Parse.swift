extension TransformationSpec {
    /// A pipeline whose steps are in the fixed order, each kind at most once, means exactly the fixed-order
    /// fields: it becomes them, so it names the same variant. An empty pipeline is none.
    func normalizingPipeline() -> TransformationSpec {
        guard let steps = pipeline else { return self }
        var spec = self
        spec.pipeline = nil
        if steps.isEmpty { return spec }
        let order = steps.map(\.kindIndex)
        guard order == order.sorted(), Set(order).count == order.count else { return self }
        for step in steps {
            switch step {
            case .crop(let crop): spec.crop = crop
            case .resize(let resize): spec.resize = resize
            case .rotate(let degrees): spec.rotate = degrees
            case .flip: spec.flip = true
            case .mirror: spec.mirror = true
            case .filters(let filters): spec.filters = filters
            case .watermark(let watermark): spec.watermark = watermark
            }
        }
        return spec
    }

    /// Parses a request body `{"transformations": {...}}`: every bad field is reported (unknown keys, wrong
    /// types, out-of-range values), and the result is normalized.
    public static func parse(body: JSONValue) throws(SpecValidationError) -> TransformationSpec {
        var parser = SpecParser()
        let spec = parser.parseBody(body)
        if !parser.errors.isEmpty { throw SpecValidationError(parser.errors) }
        return spec
    }
}

/// Walks the JSON and collects errors instead of stopping at the first.
struct SpecParser {
    var errors: [SpecValidationError.FieldError] = []

    static let maxSide = 8192

    mutating func fail(_ field: String, _ message: String) {
        errors.append(.init(field: field, message: message))
    }

    mutating func parseBody(_ body: JSONValue) -> TransformationSpec {
        guard case .object(let root) = body else {
            fail("", "the body must be a JSON object with a \"transformations\" object")
            return TransformationSpec()
        }
        for key in root.keys.sorted() where key != "transformations" { fail(key, "unknown field") }
        guard let value = root["transformations"] else {
            fail("transformations", "is required")
            return TransformationSpec()
        }
        let spec = parseTransformations(value, at: "transformations").normalizingPipeline()
        if errors.isEmpty, spec.isEmpty {
            fail("transformations", "must contain at least one transformation that changes the image")
        }
        return spec
    }

    mutating func parseTransformations(_ value: JSONValue, at path: String) -> TransformationSpec {
        var spec = TransformationSpec()
        guard let object = object(value, at: path) else { return spec }
        let known: Set = ["resize", "crop", "rotate", "flip", "mirror", "filters", "watermark", "format", "quality", "compress", "pipeline", "animated"]
        for key in object.keys.sorted() where !known.contains(key) { fail("\(path).\(key)", "unknown transformation") }
        if let v = object["pipeline"] {
            for key in object.keys.sorted() where Self.stepKinds.contains(key) {
                fail("\(path).\(key)", "goes inside the pipeline: a pipeline and the fixed-order fields do not mix")
            }
            spec.pipeline = parsePipeline(v, at: "\(path).pipeline")
        }

        if let v = object["resize"] { spec.resize = parseResize(v, at: "\(path).resize") }
        if let v = object["crop"] { spec.crop = parseCrop(v, at: "\(path).crop") }
        if let v = object["rotate"] { spec.rotate = parseRotate(v, at: "\(path).rotate") }
        if let v = object["flip"] { spec.flip = bool(v, at: "\(path).flip") ?? false }
        if let v = object["mirror"] { spec.mirror = bool(v, at: "\(path).mirror") ?? false }
        if let v = object["filters"] { spec.filters = parseFilters(v, at: "\(path).filters") }
        if let v = object["watermark"] { spec.watermark = parseWatermark(v, at: "\(path).watermark") }
        if let v = object["format"], let name = string(v, at: "\(path).format") {
            if let format = ImageFormat(rawValue: name.lowercased()) ?? (name.lowercased() == "jpg" ? .jpeg : nil) {
                spec.format = format
            } else {
                fail("\(path).format", "must be one of \(ImageFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let v = object["quality"] { spec.quality = integer(v, at: "\(path).quality", in: 1...100) }
        if let v = object["compress"] { spec.compress = bool(v, at: "\(path).compress") ?? false }
        if let v = object["animated"] { spec.animated = bool(v, at: "\(path).animated") ?? true }
        return spec
    }

    /// The kinds of step, in the fixed order the fields run in.
    static let stepKinds = ["crop", "resize", "rotate", "flip", "mirror", "filters", "watermark"]
    static let maxPipelineSteps = 16

    /// Each step an object of exactly one kind, parsed as its fixed-order field is; steps that change nothing
    /// are dropped, and a pipeline that is the fixed order after all becomes nil (its steps go to the fields:
    /// see `TransformationSpec.normalizingPipeline`).
    mutating func parsePipeline(_ value: JSONValue, at path: String) -> [TransformationSpec.Step]? {
        guard case .array(let items) = value else {
            fail(path, "must be an array of steps, not \(value.kind)")
            return nil
        }
        if items.isEmpty { fail(path, "needs at least one step") }
        if items.count > Self.maxPipelineSteps { fail(path, "has \(items.count) steps; at most \(Self.maxPipelineSteps) are allowed") }
        var steps: [TransformationSpec.Step] = []
        for (i, item) in items.prefix(Self.maxPipelineSteps).enumerated() {
            let at = "\(path)[\(i)]"
            guard case .object(let step) = item, step.count == 1, let (kind, v) = step.first else {
                fail(at, "must be an object with exactly one of \(Self.stepKinds.joined(separator: ", "))")
                continue
            }
            let field = "\(at).\(kind)"
            switch kind {
            case "crop": if let crop = parseCrop(v, at: field) { steps.append(.crop(crop)) }
            case "resize": if let resize = parseResize(v, at: field) { steps.append(.resize(resize)) }
            case "rotate": if let degrees = parseRotate(v, at: field) { steps.append(.rotate(degrees)) }
            case "flip": if bool(v, at: field) == true { steps.append(.flip) }
            case "mirror": if bool(v, at: field) == true { steps.append(.mirror) }
            case "filters":
                let filters = parseFilters(v, at: field)
                if !filters.isEmpty { steps.append(.filters(filters)) }
            case "watermark": if let watermark = parseWatermark(v, at: field) { steps.append(.watermark(watermark)) }
            default: fail(at, "unknown step \"\(kind)\"; one of \(Self.stepKinds.joined(separator: ", "))")
            }
        }
        return steps
    }

    /// Degrees, normalized; nil for none (a multiple of 360) or a bad value (reported).
    mutating func parseRotate(_ value: JSONValue, at path: String) -> Double? {
        guard let angle = number(value, at: path) else { return nil }
        guard angle.isFinite, abs(angle) <= 1e9 else {
            fail(path, "must be a finite angle in degrees")
            return nil
        }
        return Self.normalizedAngle(angle)
    }

    mutating func parseResize(_ value: JSONValue, at path: String) -> TransformationSpec.Resize? {
        guard let object = object(value, at: path) else { return nil }
        for key in object.keys.sorted() where !["width", "height", "fit", "gravity"].contains(key) { fail("\(path).\(key)", "unknown field") }
        let width = object["width"].flatMap { integer($0, at: "\(path).width", in: 1...Self.maxSide) }
        let height = object["height"].flatMap { integer($0, at: "\(path).height", in: 1...Self.maxSide) }
        var fit: TransformationSpec.Fit?
        if let v = object["fit"], let name = string(v, at: "\(path).fit") {
            fit = TransformationSpec.Fit(rawValue: name)
            if fit == nil { fail("\(path).fit", "must be one of fill, cover, contain, inside") }
        }
        var gravity: TransformationSpec.Gravity?
        if let v = object["gravity"], let name = string(v, at: "\(path).gravity") {
            gravity = TransformationSpec.Gravity(rawValue: name == "center" ? "centre" : name)
            if gravity == nil {
                fail("\(path).gravity", "must be one of \(TransformationSpec.Gravity.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if object["width"] == nil, object["height"] == nil { fail(path, "needs width, height or both") }
        guard width != nil || height != nil else { return nil }
        // Both sides and no fit: exactly that size (or, with a gravity, cover). One side: the other follows the
        // aspect ratio, whatever the fit.
        let bothSides = width != nil && height != nil
        let normalizedFit: TransformationSpec.Fit = bothSides ? (fit ?? (gravity != nil ? .cover : .fill)) : .inside
        if let gravity, gravity != .centre, !bothSides || normalizedFit != .cover {
            fail("\(path).gravity", "applies to fit cover with both width and height: it says which part the crop keeps")
        }
        return .init(width: width, height: height, fit: normalizedFit, gravity: normalizedFit == .cover ? (gravity ?? .centre) : .centre)
    }

    mutating func parseCrop(_ value: JSONValue, at path: String) -> TransformationSpec.Crop? {
        guard let object = object(value, at: path) else { return nil }
        for key in object.keys.sorted() where !["x", "y", "width", "height"].contains(key) { fail("\(path).\(key)", "unknown field") }
        var parts: [String: Int] = [:]
        for (key, range) in [("x", 0...65_535), ("y", 0...65_535), ("width", 1...65_535), ("height", 1...65_535)] {
            guard let v = object[key] else {
                fail("\(path).\(key)", "is required")
                continue
            }
            parts[key] = integer(v, at: "\(path).\(key)", in: range)
        }
        guard let x = parts["x"], let y = parts["y"], let width = parts["width"], let height = parts["height"] else { return nil }
        return .init(x: x, y: y, width: width, height: height)
    }

    mutating func parseFilters(_ value: JSONValue, at path: String) -> TransformationSpec.Filters {
        var filters = TransformationSpec.Filters()
        guard let object = object(value, at: path) else { return filters }
        for key in object.keys.sorted() where !["grayscale", "sepia", "blur", "sharpen", "invert"].contains(key) {
            fail("\(path).\(key)", "unknown filter")
        }
        filters.grayscale = object["grayscale"].flatMap { bool($0, at: "\(path).grayscale") } ?? false
        filters.sepia = object["sepia"].flatMap { bool($0, at: "\(path).sepia") } ?? false
        filters.sharpen = object["sharpen"].flatMap { bool($0, at: "\(path).sharpen") } ?? false
        filters.invert = object["invert"].flatMap { bool($0, at: "\(path).invert") } ?? false
        if let v = object["blur"], let sigma = number(v, at: "\(path).blur") {
            if sigma == 0 {
                filters.blur = nil  // no blur
            } else if sigma >= 0.3, sigma <= 100 {
                filters.blur = (sigma * 1000).rounded() / 1000
            } else {
                fail("\(path).blur", "must be a Gaussian sigma from 0.3 to 100")
            }
        }
        return filters
    }

    mutating func parseWatermark(_ value: JSONValue, at path: String) -> TransformationSpec.Watermark? {
        guard let object = object(value, at: path) else { return nil }
        for key in object.keys.sorted() where !["text", "position", "opacity"].contains(key) { fail("\(path).\(key)", "unknown field") }
        var text: String?
        if let v = object["text"], let s = string(v, at: "\(path).text") {
            if s.isEmpty || s.count > 200 {
                fail("\(path).text", "must be 1 to 200 characters")
            } else if s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                fail("\(path).text", "must not contain control characters")
            } else {
                text = s
            }
        } else if object["text"] == nil {
            fail("\(path).text", "is required")
        }
        var position = TransformationSpec.Position.bottomRight
        if let v = object["position"], let name = string(v, at: "\(path).position") {
            if let p = TransformationSpec.Position(rawValue: name) {
                position = p
            } else {
                fail("\(path).position", "must be one of \(TransformationSpec.Position.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var opacity = 0.5
        if let v = object["opacity"], let o = number(v, at: "\(path).opacity") {
            if o >= 0, o <= 1 { opacity = (o * 1000).rounded() / 1000 } else { fail("\(path).opacity", "must be from 0 to 1") }
        }
        guard let text, opacity > 0 else { return nil }  // an invisible watermark changes nothing
        return .init(text: text, position: position, opacity: opacity)
    }

    /// Degrees into [0, 360), rounded to a thousandth so that 90 and 90.0000000001 are the same request.
    static func normalizedAngle(_ angle: Double) -> Double? {
        var a = (angle * 1000).rounded() / 1000
        a = a.truncatingRemainder(dividingBy: 360)
        if a < 0 { a += 360 }
        if a >= 360 { a -= 360 }
        return a == 0 ? nil : a
    }

    // MARK: Typed access, each failing with a field error

    mutating func object(_ value: JSONValue, at path: String) -> [String: JSONValue]? {
        if case .object(let o) = value { return o }
        fail(path, "must be an object, not \(value.kind)")
        return nil
    }

    mutating func bool(_ value: JSONValue, at path: String) -> Bool? {
        if case .bool(let b) = value { return b }
        fail(path, "must be true or false, not \(value.kind)")
        return nil
    }

    mutating func string(_ value: JSONValue, at path: String) -> String? {
        if case .string(let s) = value { return s }
        fail(path, "must be a string, not \(value.kind)")
        return nil
    }

    mutating func number(_ value: JSONValue, at path: String) -> Double? {
        if case .number(let n) = value { return n }
        fail(path, "must be a number, not \(value.kind)")
        return nil
    }

    mutating func integer(_ value: JSONValue, at path: String, in range: ClosedRange<Int>) -> Int? {
        guard let n = number(value, at: path) else { return nil }
        guard n.rounded() == n, n >= Double(range.lowerBound), n <= Double(range.upperBound) else {
            fail(path, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return Int(n)
    }
}
