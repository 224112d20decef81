import Foundation

/// The spec's canonical JSON shape, as API.md shows a variant's `transformations`: the fixed-order object's
/// fields when the steps are in the fixed order, else `pipeline`, an array of one-key step objects; then the
/// output options. Encoding writes defaults that the API shows (a resize's `fit`, a watermark's `position` and
/// `opacity`) and leaves out the rest, so old specs keep their bytes and hash (`canonicalJSON`).
///
/// Decoding reads that shape, and the defaults it may leave out: it is how a stored spec comes back (the
/// worker) and how tools write one. It checks structure and types, not ranges: requests are validated by the
/// parsers at the edge.
extension TransformationSpec: Codable {
    enum Key: String, CodingKey, CaseIterable {
        case crop, resize, rotate, flip, mirror, filters, watermark, pipeline, format, quality, compress, animated, dpr
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys where Key(rawValue: key.stringValue) == nil {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "unknown transformation \(key.stringValue)")
        }
        let fixed = try Step.decode(from: container, allowingMore: true)
        if container.contains(AnyKey("pipeline")) {
            guard fixed.isEmpty else {
                throw DecodingError.dataCorruptedError(forKey: AnyKey("pipeline"), in: container, debugDescription: "a pipeline and the fixed-order fields do not mix")
            }
            steps = try container.decode([Step].self, forKey: AnyKey("pipeline"))
        } else {
            steps = fixed
        }
        // An unresolved spec (`format: auto`, `dpr`) reads back as itself too, as encoding writes it: the fuzzer
        // found that `dpr` was refused as an unknown key and `auto` as an unknown format.
        if try container.decodeIfPresent(String.self, forKey: AnyKey("format")) == "auto" {
            autoFormat = true
        } else {
            format = try container.decodeIfPresent(ImageFormat.self, forKey: AnyKey("format"))
        }
        devicePixelRatio = try container.decodeIfPresent(Double.self, forKey: AnyKey("dpr"))
        quality = try container.decodeIfPresent(Int.self, forKey: AnyKey("quality"))
        compress = try container.decodeIfPresent(Bool.self, forKey: AnyKey("compress")) ?? false
        animated = try container.decodeIfPresent(Bool.self, forKey: AnyKey("animated")) ?? true
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        if isFixedOrder {
            for step in steps { try step.encode(into: &container) }
        } else {
            try container.encode(steps, forKey: AnyKey("pipeline"))
        }
        if autoFormat {
            try container.encode("auto", forKey: AnyKey("format"))  // unresolved: never a stored variant's
        } else {
            try container.encodeIfPresent(format, forKey: AnyKey("format"))
        }
        try container.encodeIfPresent(devicePixelRatio, forKey: AnyKey("dpr"))
        try container.encodeIfPresent(quality, forKey: AnyKey("quality"))
        if compress { try container.encode(true, forKey: AnyKey("compress")) }
        // The default (keep the frames) is left out, so specs from before keep their hash.
        if !animated { try container.encode(false, forKey: AnyKey("animated")) }
    }
}

extension TransformationSpec.Step: Codable {
    /// A step alone is an object of one key, its kind.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        let steps = try Self.decode(from: container, allowingMore: false)
        guard steps.count == 1, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a step is an object of one operation that changes the image"))
        }
        self = steps[0]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try encode(into: &container)
    }

    /// The steps a container's operation keys spell, in the fixed order; flags of false are no step.
    static func decode(from container: KeyedDecodingContainer<AnyKey>, allowingMore: Bool) throws -> [Self] {
        var steps: [Self] = []
        for kind in Kind.allCases {
            let key = AnyKey(kind.rawValue)
            guard container.contains(key) else { continue }
            switch kind {
            case .crop: steps.append(.crop(try container.decode(TransformationSpec.Crop.self, forKey: key)))
            case .resize: steps.append(.resize(try container.decode(TransformationSpec.Resize.self, forKey: key)))
            case .rotate: steps.append(.rotate(try container.decode(Double.self, forKey: key)))
            case .flip: if try container.decode(Bool.self, forKey: key) { steps.append(.flip) }
            case .mirror: if try container.decode(Bool.self, forKey: key) { steps.append(.mirror) }
            case .filters: steps.append(.filters(try container.decode(TransformationSpec.Filters.self, forKey: key)))
            case .watermark: steps.append(.watermark(try container.decode(TransformationSpec.Watermark.self, forKey: key)))
            }
        }
        return steps
    }

    /// The step as its key and value, the same in a pipeline's step object and in the fixed-order object.
    func encode(into container: inout KeyedEncodingContainer<AnyKey>) throws {
        let key = AnyKey(kind.rawValue)
        switch self {
        case .crop(let crop): try container.encode(crop, forKey: key)
        case .resize(let resize): try container.encode(resize, forKey: key)
        case .rotate(let degrees): try container.encode(CanonicalNumber(degrees), forKey: key)
        case .flip, .mirror: try container.encode(true, forKey: key)
        case .filters(let filters): try container.encode(filters, forKey: key)
        case .watermark(let watermark): try container.encode(watermark, forKey: key)
        }
    }
}

extension TransformationSpec.Resize: Codable {
    enum CodingKeys: String, CodingKey { case width, height, fit, gravity }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let width = try container.decodeIfPresent(Int.self, forKey: .width)
        let height = try container.decodeIfPresent(Int.self, forKey: .height)
        guard width != nil || height != nil else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a resize needs width, height or both"))
        }
        let gravity = try container.decodeIfPresent(String.self, forKey: .gravity).map { name in
            guard let gravity = TransformationSpec.Gravity(rawValue: name == "center" ? "centre" : name) else {
                throw DecodingError.dataCorruptedError(forKey: .gravity, in: container, debugDescription: "unknown gravity \(name)")
            }
            return gravity
        }
        self.init(width: width, height: height, requestedFit: try container.decodeIfPresent(TransformationSpec.Fit.self, forKey: .fit), gravity: gravity)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(fit, forKey: .fit)
        // The default is left out, so specs from before gravity existed keep their hash.
        if gravity != .centre { try container.encode(gravity, forKey: .gravity) }
        try container.encodeIfPresent(height, forKey: .height)
        try container.encodeIfPresent(width, forKey: .width)
    }
}

extension TransformationSpec.Filters: Codable {
    enum CodingKeys: String, CodingKey { case grayscale, sepia, blur, sharpen, invert }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        grayscale = try container.decodeIfPresent(Bool.self, forKey: .grayscale) ?? false
        sepia = try container.decodeIfPresent(Bool.self, forKey: .sepia) ?? false
        blur = try container.decodeIfPresent(Double.self, forKey: .blur)
        sharpen = try container.decodeIfPresent(Bool.self, forKey: .sharpen) ?? false
        invert = try container.decodeIfPresent(Bool.self, forKey: .invert) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(blur.map(CanonicalNumber.init), forKey: .blur)
        if grayscale { try container.encode(true, forKey: .grayscale) }
        if invert { try container.encode(true, forKey: .invert) }
        if sepia { try container.encode(true, forKey: .sepia) }
        if sharpen { try container.encode(true, forKey: .sharpen) }
    }
}

extension TransformationSpec.Watermark: Codable {
    enum CodingKeys: String, CodingKey { case text, position, opacity }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decode(String.self, forKey: .text)
        position = try container.decodeIfPresent(TransformationSpec.Position.self, forKey: .position) ?? .bottomRight
        opacity = try container.decodeIfPresent(Double.self, forKey: .opacity) ?? 0.5
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(CanonicalNumber(opacity), forKey: .opacity)
        try container.encode(position, forKey: .position)
        try container.encode(text, forKey: .text)
    }
}

/// Any key, for objects whose keys are checked by hand.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A number in the canonical spelling: whole numbers as integers (`90`, not `90.0`), others as the shortest
/// decimal that reads back the same (values are rounded to thousandths when parsed, so at most three decimals).
struct CanonicalNumber: Encodable {
    var value: Double
    init(_ value: Double) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
    }
}
