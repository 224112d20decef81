/// Just enough of an ICC profile to tell whether it describes sRGB: an upload tagged sRGB has sRGB pixels
/// already, so dropping its profile changes no colour and the lossless JPEG path may apply. Any other profile
/// (Display P3, Adobe RGB, a camera's, a grey one) means converting pixels, which only libvips does.
enum ICCProfile {
    /// Whether `profile` is an RGB profile whose description begins with "sRGB" ("sRGB IEC61966-2.1",
    /// "sRGB built-in", "sRGB IEC61966-2-1 black scaled", ...). Malformed or truncated profiles are not.
    static func describesSRGB(_ profile: [UInt8]) -> Bool {
        guard profile.count >= 132, ascii(profile, at: 16, count: 4) == "RGB " else { return false }
        guard let description = description(of: profile) else { return false }
        return description.hasPrefix("sRGB")
    }

    /// The profile's `desc` tag: the ICC v2 `desc` type (ASCII) or the v4 `mluc` type (its first record,
    /// UTF-16BE).
    static func description(of profile: [UInt8]) -> String? {
        guard let tagCount = uint32(profile, at: 128), tagCount <= 1_000 else { return nil }
        for index in 0..<Int(tagCount) {
            let entry = 132 + index * 12
            guard ascii(profile, at: entry, count: 4) == "desc",
                let offset = uint32(profile, at: entry + 4).map(Int.init),
                let size = uint32(profile, at: entry + 8).map(Int.init),
                offset >= 0, size >= 12, offset + size <= profile.count
            else { continue }
            let tag = Array(profile[offset..<(offset + size)])
            switch ascii(tag, at: 0, count: 4) {
            case "desc":
                guard let length = uint32(tag, at: 8).map(Int.init), length > 0, 12 + length <= tag.count else { return nil }
                return String(decoding: tag[12..<(12 + length)].prefix { $0 != 0 }, as: UTF8.self)
            case "mluc":
                guard let records = uint32(tag, at: 8), records > 0,
                    let length = uint32(tag, at: 20).map(Int.init), let start = uint32(tag, at: 24).map(Int.init),
                    start + length <= tag.count
                else { return nil }
                let units = stride(from: start, to: start + length - 1, by: 2).map { UInt16(tag[$0]) << 8 | UInt16(tag[$0 + 1]) }
                return String(decoding: units, as: UTF16.self)
            default:
                return nil
            }
        }
        return nil
    }

    private static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func ascii(_ bytes: [UInt8], at offset: Int, count: Int) -> String? {
        guard offset >= 0, offset + count <= bytes.count else { return nil }
        return String(decoding: bytes[offset..<(offset + count)], as: UTF8.self)
    }
}
