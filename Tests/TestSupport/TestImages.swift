import CVips
import Foundation
import Functions
@testable import Imaging
import Testing

/// Images made in the tests from raw pixels, and pixels read back from encoded results.
enum TestImages {
    typealias RGB = (UInt8, UInt8, UInt8)

    static let red: RGB = (255, 0, 0), green: RGB = (0, 200, 0), blue: RGB = (0, 0, 255), yellow: RGB = (255, 255, 0)

    /// A `width` x `height` image whose quadrants are red (top-left), green (top-right), blue (bottom-left) and
    /// yellow (bottom-right), as raw RGB bytes.
    static func quadrantPixels(width: Int = 64, height: Int = 48) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let c = y < height / 2 ? (x < width / 2 ? red : green) : (x < width / 2 ? blue : yellow)
                let i = (y * width + x) * 3
                pixels[i] = c.0
                pixels[i + 1] = c.1
                pixels[i + 2] = c.2
            }
        }
        return pixels
    }

    static func solid(_ c: RGB, width: Int = 32, height: Int = 32) -> [UInt8] {
        (0..<(width * height)).flatMap { _ in [c.0, c.1, c.2] }
    }

    /// Raw pixels encoded in a format (metadata stripped), through libvips.
    static func encode(_ pixels: [UInt8], width: Int, height: Int, bands: Int = 3, as format: ImageFormat = .png) throws -> [UInt8] {
        try Vips.setUp()
        let image = try vipsImage(pixels, width: width, height: height, bands: bands)
        return try ImageEncoder(format: format, quality: format == .jpeg ? 95 : nil, compress: false).encode(image)
    }

    static func vipsImage(_ pixels: [UInt8], width: Int, height: Int, bands: Int = 3) throws -> VipsImageRef {
        let pointer = try #require(pixels.withUnsafeBytes {
            cvips_image_from_pixels($0.baseAddress, $0.count, Int32(width), Int32(height), Int32(bands))
        })
        let image = VipsImageRef(pointer)
        if bands >= 3 {
            return try image.apply("sRGB") { cvips_copy_interpretation($0, &$1, VIPS_INTERPRETATION_sRGB) }
        }
        return image
    }

    /// A JPEG that keeps its metadata: an EXIF orientation and, optionally, GPS tags.
    static func jpegWithMetadata(_ pixels: [UInt8], width: Int, height: Int, orientation: Int, gps: Bool = false) throws -> [UInt8] {
        try Vips.setUp()
        let image = try vipsImage(pixels, width: width, height: height)
        let copy = try image.apply("copy") { cvips_copy_memory($0, &$1) }
        vips_image_set_int(copy.pointer, "orientation", Int32(orientation))
        if gps {
            vips_image_set_string(copy.pointer, "exif-ifd3-GPSLatitudeRef", "N")
            vips_image_set_string(copy.pointer, "exif-ifd3-GPSLatitude", "48/1 51/1 30/1")
            vips_image_set_string(copy.pointer, "exif-ifd0-Make", "TestCam")
        }
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        try #require(cvips_jpegsave_keep_metadata(copy.pointer, &buffer, &length, 95) == 0)
        defer { g_free(buffer) }
        return Array(UnsafeRawBufferPointer(start: buffer, count: length))
    }

    /// A decoded image to read pixels from.
    struct Decoded {
        let image: VipsImageRef
        let format: ImageFormat
        var width: Int { image.width }
        var height: Int { image.height }
        var bands: Int { image.bands }

        /// The pixel at (x, y) as RGB(A); a grey image gives equal channels.
        func pixel(_ x: Int, _ y: Int) -> [Double] {
            var vector: UnsafeMutablePointer<Double>?
            var n: Int32 = 0
            guard cvips_getpoint(image.pointer, &vector, &n, Int32(x), Int32(y)) == 0, let vector else { return [] }
            defer { g_free(vector) }
            let values = Array(UnsafeBufferPointer(start: vector, count: Int(n)))
            switch values.count {
            case 1: return [values[0], values[0], values[0]]
            case 2: return [values[0], values[0], values[0], values[1]]
            default: return values
            }
        }

        /// Whether the pixel is within `tolerance` of a colour in every channel.
        func isColour(_ x: Int, _ y: Int, _ c: RGB, tolerance: Double = 40) -> Bool {
            let p = pixel(x, y)
            guard p.count >= 3 else { return false }
            return abs(p[0] - Double(c.0)) <= tolerance && abs(p[1] - Double(c.1)) <= tolerance && abs(p[2] - Double(c.2)) <= tolerance
        }

        func hasField(_ name: String) -> Bool { image.hasField(name) }

        /// Names of the metadata fields present.
        var metadataFields: [String] {
            guard let names = vips_image_get_fields(image.pointer) else { return [] }
            defer { g_strfreev(names) }
            var result: [String] = []
            var i = 0
            while let name = names[i] {
                result.append(String(cString: name))
                i += 1
            }
            return result
        }
    }

    static func decode(_ bytes: [UInt8]) throws -> Decoded {
        let source = try ImageSource(bytes: bytes)
        let image = try source.open()
        let memory = try image.apply("memory") { cvips_copy_memory($0, &$1) }
        return Decoded(image: memory, format: source.format)
    }

    /// Runs a transformations object through parsing and the pipeline.
    static func transform(_ bytes: [UInt8], _ json: String) throws -> (EncodedImage, Decoded) {
        let spec = try parse(json)
        let result = try ImageProcessor.process(try ImageSource(bytes: bytes), spec: spec)
        return (result, try decode(result.bytes))
    }

    /// The spec of a `transformations` object, parsed as a request body is.
    static func parse(_ json: String) throws -> TransformationSpec {
        try TransformationParsing.parse(body: #"{"transformations":\#(json)}"#)
    }

    static var testdata: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/testdata")
    }
}

extension TestImages {
    /// A generated three-frame animation (each frame a top and a bottom colour, delays 100, 200 and 300 ms,
    /// looping twice) and the frames of an encoded result as libvips reads them back.
    enum Animation {
        static let (width, height) = (40, 30)
        /// Each frame: a top half and a bottom half colour.
        static let frames: [(TestImages.RGB, TestImages.RGB)] = [(TestImages.red, TestImages.blue), (TestImages.green, TestImages.yellow), (TestImages.blue, TestImages.red)]
        static let delays: [Int32] = [100, 200, 300]

        /// A three-frame animation in `format`, looping twice (three pages for a TIFF).
        static func animation(_ format: ImageFormat) throws -> [UInt8] {
            try Vips.setUp()
            let frameImages = try frames.map { top, bottom in
                try TestImages.vipsImage(TestImages.solid(top, width: width, height: height / 2) + TestImages.solid(bottom, width: width, height: height / 2), width: width, height: height)
            }
            var pointers: [UnsafeMutablePointer<CVips.VipsImage>?] = frameImages.map(\.pointer)
            var out: UnsafeMutablePointer<CVips.VipsImage>?
            try #require(cvips_arrayjoin_vertical(&pointers, &out, Int32(pointers.count)) == 0)
            var joined = VipsImageRef(try #require(out))
            joined = try joined.apply("copy") { cvips_copy($0, &$1) }
            vips_image_set_int(joined.pointer, "page-height", Int32(height))
            var delays = Self.delays
            vips_image_set_array_int(joined.pointer, "delay", &delays, Int32(delays.count))
            vips_image_set_int(joined.pointer, "loop", 2)
            _ = frameImages
            var buffer: UnsafeMutableRawPointer?
            var length = 0
            // A TIFF of the same three pages: a multi-page file that is no animation.
            let status = switch format {
            case .gif: cvips_gifsave(joined.pointer, &buffer, &length, 7, 0)
            case .tiff: cvips_tiffsave(joined.pointer, &buffer, &length, VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE, 90)
            default: cvips_webpsave(joined.pointer, &buffer, &length, 95, 4)
            }
            try #require(status == 0, "\(Vips.takeError())")
            defer { g_free(buffer) }
            return Array(UnsafeRawBufferPointer(start: buffer, count: length))
        }

        /// The frames of an encoded result, as libvips reads them back.
        struct Frames {
            let image: TestImages.Decoded  // all frames, one above the other
            let pageHeight: Int
            let delays: [Int32]
            let loop: Int?
            var count: Int { image.height / pageHeight }

            func isColour(frame: Int, _ x: Int, _ y: Int, _ c: TestImages.RGB) -> Bool { image.isColour(x, frame * pageHeight + y, c, tolerance: 60) }
        }

        static func frames(of bytes: [UInt8]) throws -> Frames {
            let source = try ImageSource(bytes: bytes)
            let all = try source.open(extraOptions: source.format.animates ? "n=-1" : "")
            let memory = try all.apply("memory") { cvips_copy_memory($0, &$1) }
            var delays: UnsafeMutablePointer<Int32>?
            var count: Int32 = 0
            var list: [Int32] = []
            if vips_image_get_array_int(all.pointer, "delay", &delays, &count) == 0, let delays {
                list = Array(UnsafeBufferPointer(start: delays, count: Int(count)))
            }
            return Frames(image: TestImages.Decoded(image: memory, format: source.format), pageHeight: all.int("page-height") ?? all.height, delays: list, loop: all.int("loop"))
        }
    }
}
