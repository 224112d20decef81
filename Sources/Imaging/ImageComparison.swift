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
