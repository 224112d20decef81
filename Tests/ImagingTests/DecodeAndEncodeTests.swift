import CVips
import ChildProcess
import Foundation
@testable import Imaging
import Testing
@testable import TestSupport

@Suite struct DecodeAndEncodeTests {
    typealias T = TestImages

    @Test(arguments: ImageFormat.allCases)
    func everyOutputFormatRoundTrips(_ format: ImageFormat) throws {
        let png = try T.encode(T.quadrantPixels(), width: 64, height: 48)
        let (result, d) = try T.transform(png, #"{"format":"\#(format.rawValue)"}"#)
        #expect(result.format == format)
        #expect(d.format == format)  // sniffed from the bytes
        #expect(d.width == 64 && d.height == 48)
        #expect(d.isColour(16, 12, T.red, tolerance: 60))
        #expect(d.isColour(48, 36, T.yellow, tolerance: 60))
    }

    @Test(arguments: 1...8)
    func exifOrientationComesOutUpright(_ orientation: Int) throws {
        let (w, h) = (64, 48)
        let upright = T.quadrantPixels(width: w, height: h)
        // The stored image is the upright one transformed so that applying `orientation` gives it back.
        let swapped = orientation >= 5
        let (sw, sh) = swapped ? (h, w) : (w, h)
        var stored = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                let (sx, sy): (Int, Int) =
                    switch orientation {
                    case 2: (w - 1 - x, y)
                    case 3: (w - 1 - x, h - 1 - y)
                    case 4: (x, h - 1 - y)
                    case 5: (y, x)
                    case 6: (y, w - 1 - x)
                    case 7: (h - 1 - y, w - 1 - x)
                    case 8: (h - 1 - y, x)
                    default: (x, y)
                    }
                for c in 0..<3 { stored[(sy * sw + sx) * 3 + c] = upright[(y * w + x) * 3 + c] }
            }
        }
        let jpeg = try T.jpegWithMetadata(stored, width: sw, height: sh, orientation: orientation)
        let source = try ImageSource(bytes: jpeg)
        #expect(source.orientation == orientation)
        #expect(source.orientedSize == (w, h))
        for json in [#"{"format":"png"}"#, #"{"resize":{"width":32}}"#] {
            let (_, d) = try T.transform(jpeg, json)
            #expect(d.width * h == d.height * w, "\(json): \(d.width)x\(d.height)")
            let (qx, qy) = (d.width / 4, d.height / 4)
            #expect(d.isColour(qx, qy, T.red), "\(orientation) \(json) top-left \(d.pixel(qx, qy))")
            #expect(d.isColour(d.width - 1 - qx, qy, T.green), "\(orientation) \(json) top-right")
            #expect(d.isColour(qx, d.height - 1 - qy, T.blue), "\(orientation) \(json) bottom-left")
            #expect(!d.hasField("orientation") || d.image.int("orientation") == 1)
        }
    }

    @Test(arguments: ImageFormat.allCases)
    func metadataIsGoneFromEveryFormat(_ format: ImageFormat) throws {
        let jpeg = try T.jpegWithMetadata(T.quadrantPixels(), width: 64, height: 48, orientation: 1, gps: true)
        let input = try T.decode(jpeg)
        #expect(input.metadataFields.contains { $0.hasPrefix("exif-ifd3-GPS") }, "the fixture must carry GPS")
        let (_, d) = try T.transform(jpeg, format == .jpeg ? #"{"quality":90}"# : #"{"format":"\#(format.rawValue)"}"#)
        let leaked = d.metadataFields.filter {
            $0.hasPrefix("exif") || $0.hasPrefix("xmp") || $0.hasPrefix("iptc") || $0 == "icc-profile-data"
        }
        #expect(leaked.isEmpty, "\(format): \(leaked)")
    }

    @Test func qualityAndCompressShrinkTheBytes() throws {
        let photo = try [UInt8](Data(contentsOf: T.testdata.appendingPathComponent("Dune.jpg")))
        let small = #""resize":{"width":600}"#
        let q90 = try T.transform(photo, "{\(small),\"quality\":90}").0.bytes.count
        let q40 = try T.transform(photo, "{\(small),\"quality\":40}").0.bytes.count
        let plain = try T.transform(photo, "{\(small)}").0.bytes.count
        let compressed = try T.transform(photo, "{\(small),\"compress\":true}").0.bytes.count
        #expect(q40 < q90)
        #expect(compressed < plain)
        let png = try T.transform(photo, "{\(small),\"format\":\"png\"}").0.bytes.count
        let pngCompressed = try T.transform(photo, "{\(small),\"format\":\"png\",\"compress\":true}").0.bytes.count
        #expect(pngCompressed < png)
        let webp = try T.transform(photo, "{\(small),\"format\":\"webp\"}").0.bytes.count
        let webpCompressed = try T.transform(photo, "{\(small),\"format\":\"webp\",\"compress\":true}").0.bytes.count
        #expect(webpCompressed < webp)
    }

    @Test func originalsAreStoredUprightWithoutMetadata() throws {
        let sideways = try T.jpegWithMetadata(T.quadrantPixels(width: 48, height: 64), width: 48, height: 64, orientation: 6, gps: true)
        let stored = try ImageProcessor.normalizeOriginal(try ImageSource(bytes: sideways))
        #expect(stored.format == .jpeg)
        let d = try T.decode(stored.bytes)
        #expect(d.width == 64 && d.height == 48)
        #expect(!d.metadataFields.contains { $0.hasPrefix("exif") })
        let png = try T.encode(T.quadrantPixels(), width: 64, height: 48)
        let storedPNG = try ImageProcessor.normalizeOriginal(try ImageSource(bytes: png))
        #expect(storedPNG.format == .png)
        #expect(try T.decode(storedPNG.bytes).isColour(16, 12, T.red, tolerance: 0))  // lossless stays lossless
    }

    @Test func aReencodedOriginalKeepsItsChromaSubsampling() throws {
        // A 4:2:0 photo with EXIF (re-encoded to strip it) stays 4:2:0, and so no larger than it was; a 4:4:4
        // one stays 4:4:4.
        let photo = [UInt8](try Data(contentsOf: T.testdata.appendingPathComponent("Kleiber_by_Lukas_Baubkus.jpg")))
        let source = try ImageSource(bytes: photo)
        #expect(source.chromaSubsampling == "4:2:0" && source.needsNormalizing)
        let stored = try ImageProcessor.normalizeOriginal(source)
        #expect(try ImageSource(bytes: stored.bytes).chromaSubsampling == "4:2:0")
        #expect(stored.bytes.count < photo.count)
        let full = try T.jpegWithMetadata(T.quadrantPixels(width: 48, height: 64), width: 48, height: 64, orientation: 6)
        #expect(try ImageSource(bytes: full).chromaSubsampling == "4:4:4")
        #expect(try ImageSource(bytes: ImageProcessor.normalizeOriginal(try ImageSource(bytes: full)).bytes).chromaSubsampling == "4:4:4")
    }

    @Test func realPhotoResizesTo800Wide() throws {
        let photo = try [UInt8](Data(contentsOf: T.testdata.appendingPathComponent("Kleiber_by_Lukas_Baubkus.jpg")))
        let (result, d) = try T.transform(photo, #"{"resize":{"width":800}}"#)
        #expect(result.width == 800 && d.width == 800)
        #expect(d.height == Int((3391.0 * 800 / 6028).rounded()))
        #expect(result.format == .jpeg)
    }

    @Test func pngWithAlphaKeepsItAndJPEGFlattensOnWhite() throws {
        let gulp = try [UInt8](Data(contentsOf: T.testdata.appendingPathComponent("Gulp.png")))
        let (_, png) = try T.transform(gulp, #"{"resize":{"width":200}}"#)
        #expect(png.bands == 4)
        let (_, jpeg) = try T.transform(gulp, #"{"resize":{"width":200},"format":"jpeg"}"#)
        #expect(jpeg.bands == 3)
        let (webpResult, webp) = try T.transform(gulp, #"{"resize":{"width":200},"format":"webp"}"#)
        #expect(webp.bands == 4)  // the stripped container still carries its alpha
        #expect(!webpResult.bytes.contains(subsequence: Array("EXIF".utf8)))
    }

    /// In a process of its own (other suites use libvips at the same time here): 40 more transforms leave
    /// libvips's count of allocated pixel buffers and bytes exactly where one left them.
    @Test func repeatedTransformsReleaseTheirMemory() async throws {
        let png = FileManager.default.temporaryDirectory.appendingPathComponent("leak-\(UUID().uuidString).png")
        try Data(try T.encode(T.quadrantPixels(width: 256, height: 192), width: 256, height: 192)).write(to: png)
        defer { try? FileManager.default.removeItem(at: png) }
        let benchmark = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("imaging-benchmark")
        let result = try await ChildProcess.run(benchmark.path, ["--leak-check", png.path])
        let text = result.text
        #expect(result.status == 0)
        let numbers = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        try #require(numbers.count == 4, "\(text)")
        #expect(numbers[2] == numbers[0], "pixel buffers: \(numbers[0]) before, \(numbers[2]) after")
        #expect(numbers[3] == numbers[1], "pixel bytes: \(numbers[1]) before, \(numbers[3]) after")
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { self[$0..<($0 + subsequence.count)].elementsEqual(subsequence) }
    }
}

/// Every shared test photo through the benchmark's two specs.
@Suite struct TestPhotoTests {
    static let photos = [
        "Dune.jpg", "derived/Dragonfly_by_Bolly_baseline.jpg", "Kleiber_by_Lukas_Baubkus.jpg", "life_by_Aitzol_Berasategi.jpg",
        "Dragonfly_by_Bolly.jpg", "Gulp.png",
    ]

    @Test(arguments: photos)
    func resizesAndConverts(_ photo: String) throws {
        let bytes = try [UInt8](Data(contentsOf: TestImages.testdata.appendingPathComponent(photo)))
        let source = try ImageSource(bytes: bytes)
        for json in [#"{"resize":{"width":800},"quality":80}"#, #"{"resize":{"width":800},"filters":{"grayscale":true},"rotate":90,"format":"webp","quality":80}"#] {
            do {
                let (result, d) = try TestImages.transform(bytes, json)
                let expectedHeight = Int((Double(source.orientedSize.height) * 800 / Double(source.orientedSize.width)).rounded())
                if json.contains("rotate") {
                    #expect(d.height == 800 && d.width == expectedHeight)
                } else {
                    #expect(d.width == 800 && d.height == expectedHeight)
                }
                #expect(result.bytes.count > 1000)
            } catch let error as ImagingError {
                Issue.record("\(photo) \(json): \(error) — \(error.detail ?? "")")
            }
        }
    }
}

@Suite struct LargeRotatedSourceTests {
    /// A photo-sized JPEG stored sideways (EXIF 6 and 8) or upside down (3): large enough that a single-pass decoder
    /// could not serve the rotation from its line cache.
    @Test(arguments: [3, 6, 8])
    func largeSidewaysJPEGComesOutUpright(_ orientation: Int) throws {
        let (w, h) = (1600, 1200)
        let stored = TestImages.quadrantPixels(width: orientation == 3 ? w : h, height: orientation == 3 ? h : w)
        let jpeg = try TestImages.jpegWithMetadata(stored, width: orientation == 3 ? w : h, height: orientation == 3 ? h : w, orientation: orientation)
        for json in [#"{"format":"png"}"#, #"{"resize":{"width":400}}"#, #"{"rotate":90,"flip":true}"#] {
            let (_, d) = try TestImages.transform(jpeg, json)
            #expect(json.contains("rotate") ? d.height > d.width : d.width > d.height, "\(orientation) \(json)")
        }
    }
}
