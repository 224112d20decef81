import CVips

/// Compares two encoded images pixel by pixel, for quality checks in tests and benchmarks.
public enum ImageComparison {
    /// Mean absolute difference per channel value (0 to 255) over the area both images cover, after bringing
    /// both to 8-bit sRGB.
    public static func meanAbsoluteDifference(_ a: [UInt8], _ b: [UInt8]) throws(ImagingError) -> Double {
        let context = RenderContext(outputFormat: .jpeg)
        let left = try NormalizeColour().apply(to: try ImageSource(bytes: a).open(), context: context).asSRGB()
        let right = try NormalizeColour().apply(to: try ImageSource(bytes: b).open(), context: context).asSRGB()
        let width = min(left.width, right.width), height = min(left.height, right.height)
        let l = try pixels(left, width: width, height: height), r = try pixels(right, width: width, height: height)
        var total = 0
        for i in 0..<min(l.count, r.count) { total += abs(Int(l[i]) - Int(r[i])) }
        return Double(total) / Double(max(1, min(l.count, r.count)))
    }

    /// The largest difference of any channel value of any pixel between two encoded images as decoders see
    /// them: EXIF orientation applied (unless `orienting` is false), no colour conversion. 0 means the same
    /// pixels; nil means their sizes or band counts differ, so no pixel corresponds.
    public static func maximumAbsoluteDifference(_ a: [UInt8], _ b: [UInt8], orienting: Bool = true) throws(ImagingError) -> Int? {
        let left = try decoded(a, orienting: orienting), right = try decoded(b, orienting: orienting)
        guard left.width == right.width, left.height == right.height, left.bands == right.bands else { return nil }
        let l = try pixels(left), r = try pixels(right)
        guard l.count == r.count else { return nil }
        var largest = 0
        for i in 0..<l.count { largest = max(largest, abs(Int(l[i]) - Int(r[i]))) }
        return largest
    }

    private static func decoded(_ bytes: [UInt8], orienting: Bool) throws(ImagingError) -> VipsImageRef {
        let image = try ImageSource(bytes: bytes).open()
        return orienting ? try image.apply("autorot") { cvips_autorot($0, &$1) } : image
    }

    private static func pixels(_ image: VipsImageRef) throws(ImagingError) -> [UInt8] {
        var size = 0
        guard let memory = vips_image_write_to_memory(image.pointer, &size) else {
            throw ImagingError(.transformationFailed, "pixels could not be read", detail: Vips.takeError())
        }
        defer { g_free(memory) }
        return Array(UnsafeRawBufferPointer(start: memory, count: size))
    }

    private static func pixels(_ image: VipsImageRef, width: Int, height: Int) throws(ImagingError) -> [UInt8] {
        let area = try image.apply("crop") { cvips_extract_area($0, &$1, 0, 0, Int32(width), Int32(height)) }
        let colour = try area.apply("bands") { cvips_extract_band($0, &$1, 0, 3) }
        var size = 0
        guard let memory = vips_image_write_to_memory(colour.pointer, &size) else {
            throw ImagingError(.transformationFailed, "pixels could not be read", detail: Vips.takeError())
        }
        defer { g_free(memory) }
        return Array(UnsafeRawBufferPointer(start: memory, count: size))
    }
}
