import CVips

/// One libvips image, owned: unreferenced when this goes. Operations make new images; the pipeline swaps the
/// one it holds after each step, as imgproxy does.
final class VipsImageRef: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<CVips.VipsImage>

    init(_ pointer: UnsafeMutablePointer<CVips.VipsImage>) {
        self.pointer = pointer
    }

    deinit { cvips_unref(pointer) }

    /// Runs a libvips call that writes a new image to `out`; a failure becomes `code` with libvips's text as
    /// detail.
    func apply(
        _ what: String, failure code: ImagingError.Code = .transformationFailed,
        _ call: (UnsafeMutablePointer<CVips.VipsImage>, inout UnsafeMutablePointer<CVips.VipsImage>?) -> Int32
    ) throws(ImagingError) -> VipsImageRef {
        var out: UnsafeMutablePointer<CVips.VipsImage>?
        let status = call(pointer, &out)
        guard status == 0, let out else {
            throw ImagingError.fromVips(code, what: what, detail: Vips.takeError())
        }
        return VipsImageRef(out)
    }

    static func make(
        _ what: String, _ call: (inout UnsafeMutablePointer<CVips.VipsImage>?) -> Int32
    ) throws(ImagingError) -> VipsImageRef {
        var out: UnsafeMutablePointer<CVips.VipsImage>?
        guard call(&out) == 0, let out else {
            throw ImagingError(.transformationFailed, "the image could not be processed (\(what))", detail: Vips.takeError())
        }
        return VipsImageRef(out)
    }

    var width: Int { Int(vips_image_get_width(pointer)) }
    var height: Int { Int(vips_image_get_height(pointer)) }
    var bands: Int { Int(vips_image_get_bands(pointer)) }
    var hasAlpha: Bool { vips_image_hasalpha(pointer) != 0 }
    var interpretation: VipsInterpretation { vips_image_get_interpretation(pointer) }

    func int(_ field: String) -> Int? {
        var value: Int32 = 0
        guard cvips_has_field(pointer, field) != 0, cvips_get_int(pointer, field, &value) == 0 else { return nil }
        return Int(value)
    }

    func string(_ field: String) -> String? {
        var value: UnsafePointer<CChar>?
        guard cvips_has_field(pointer, field) != 0, cvips_get_string(pointer, field, &value) == 0, let value else { return nil }
        return String(cString: value)
    }

    func hasField(_ field: String) -> Bool { cvips_has_field(pointer, field) != 0 }

    /// A copy of a binary field (`icc-profile-data`, `exif-data`, ...); nil when the image has none.
    func blob(_ field: String) -> [UInt8]? {
        var data: UnsafeRawPointer?
        var length = 0
        guard cvips_has_field(pointer, field) != 0, vips_image_get_blob(pointer, field, &data, &length) == 0, let data else { return nil }
        return Array(UnsafeRawBufferPointer(start: data, count: length))
    }
}
