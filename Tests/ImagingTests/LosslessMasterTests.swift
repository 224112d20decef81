import CVips
import Foundation
@testable import Imaging
import Testing
@testable import TestSupport

/// Uploads stored as fast masters: JPEGs through libjpeg-turbo's lossless transform, with the upload's exact
/// pixels; everything the transform cannot do exactly still re-encoded as before.
@Suite struct LosslessMasterTests {
    typealias T = TestImages

    @Test(arguments: ["life_by_Aitzol_Berasategi.jpg", "Dragonfly_by_Bolly.jpg"])
    func progressivePhotosBecomeBaselineWithTheSamePixels(_ name: String) throws {
        let photo = [UInt8](try Data(contentsOf: T.testdata.appendingPathComponent(name)))
        #expect(Self.frameMarkers(photo) == [0xC2])
        let source = try ImageSource(bytes: photo)
        let master = try ImageProcessor.master(of: photo, source: source)
        #expect(master.format == .jpeg && master.width == source.width && master.height == source.height)
        #expect(Self.frameMarkers(master.bytes) == [0xC0])
        #expect(try ImageComparison.maximumAbsoluteDifference(photo, master.bytes) == 0)
    }

    @Test func aPhotoWithEXIFLosesItWithoutAGeneration() throws {
        let photo = [UInt8](try Data(contentsOf: T.testdata.appendingPathComponent("Kleiber_by_Lukas_Baubkus.jpg")))
        #expect(Self.appMarkers(photo).contains(0xE1))
        let master = try ImageProcessor.master(of: photo, source: try ImageSource(bytes: photo))
        #expect(!Self.appMarkers(master.bytes).contains(0xE1))
        #expect(try ImageComparison.maximumAbsoluteDifference(photo, master.bytes) == 0)
        #expect(try T.decode(master.bytes).metadataFields.allSatisfy { !$0.hasPrefix("exif") && !$0.hasPrefix("xmp") })
    }

    @Test func anUprightSequentialJPEGKeepsItsDataByteForByte() throws {
        let photo = [UInt8](try Data(contentsOf: T.testdata.appendingPathComponent("Kleiber_by_Lukas_Baubkus.jpg")))
        let master = try ImageProcessor.master(of: photo, source: try ImageSource(bytes: photo)).bytes
        #expect(Self.appMarkers(master) == [])
        // From the first table on, the file is the upload's: only segments before it went.
        let firstTable = { (bytes: [UInt8]) in (0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDB }! }
        #expect(master[firstTable(master)...].elementsEqual(photo[firstTable(photo)...]))
    }

    @Test func strippingKeepsJFIFAndAdobeAndDropsCommentsAndTrailers() throws {
        let plain = try T.encode(T.quadrantPixels(), width: 64, height: 48, as: .jpeg)
        let adobe: [UInt8] = [0xFF, 0xEE, 0x00, 0x0E] + Array("Adobe".utf8) + [0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x01]
        let comment: [UInt8] = [0xFF, 0xFE, 0x00, 0x07] + Array("hello".utf8)
        let xmp: [UInt8] = [0xFF, 0xE1, 0x00, 0x0A] + Array("http:".utf8) + [0, 1, 2]
        let trailer = plain  // a multi-picture file's preview, appended after the end-of-image marker
        let upload = Array(plain[0..<2]) + adobe + comment + xmp + Array(plain[2...]) + trailer
        let stripped = try #require(JPEGMetadataStripper.strip(upload))
        #expect(Self.appMarkers(stripped).contains(0xEE))
        #expect(!Self.markers(stripped).contains(0xFE) && !Self.appMarkers(stripped).contains(0xE1))
        #expect(stripped.count == upload.count - comment.count - xmp.count - trailer.count)
        #expect(try ImageComparison.maximumAbsoluteDifference(plain, stripped) == 0)
        // Not sequential, or not whole: left to the transform or the re-encode.
        let progressive = [UInt8](try Data(contentsOf: T.testdata.appendingPathComponent("life_by_Aitzol_Berasategi.jpg")))
        #expect(JPEGMetadataStripper.strip(progressive) == nil)
        #expect(JPEGMetadataStripper.strip(Array(plain.dropLast(2))) == nil)
        #expect(JPEGMetadataStripper.strip(Array(plain.prefix(40))) == nil)
        #expect(JPEGMetadataStripper.strip([0xFF, 0xD8, 0xFF]) == nil)
    }

    @Test(arguments: 1...8)
    func everyOrientationIsTurnedUprightWithoutChangingACoefficient(_ orientation: Int) throws {
        // A 4:2:0 photo of whole 16x16 blocks, so every rotation and flip is exact.
        let upload = try Self.photo(orientation: orientation, width: 320, height: 240)
        let source = try ImageSource(bytes: upload)
        #expect(source.allowsLosslessMaster && source.chromaSubsampling == "4:2:0")
        let master = try ImageProcessor.master(of: upload, source: source)
        let (width, height) = orientation >= 5 ? (240, 320) : (320, 240)
        #expect(master.width == width && master.height == height)
        let decoded = try T.decode(master.bytes)
        #expect(decoded.width == width && decoded.height == height)
        #expect(!decoded.metadataFields.contains { $0.hasPrefix("exif") || $0 == "orientation" })
        // Turned back, the master decodes to exactly the upload's pixels as stored: no coefficient changed.
        let inverse = orientation == 6 ? 8 : orientation == 8 ? 6 : orientation
        let back = try #require(LosslessJPEG.master(of: master.bytes, orientation: inverse))
        #expect(try ImageComparison.maximumAbsoluteDifference(upload, back, orienting: false) == 0)
        // Upright, the pixels equal the upload's turned by libvips where the decoder's rounding is symmetric
        // (no turn, a vertical flip); elsewhere libjpeg-turbo's IDCT and chroma upsampling round the mirrored
        // blocks differently by a few levels, against 17-19 for the re-encode this replaces.
        let difference = try #require(try ImageComparison.maximumAbsoluteDifference(upload, master.bytes))
        let reencoded = try #require(try ImageComparison.maximumAbsoluteDifference(upload, ImageProcessor.normalizeOriginal(source).bytes))
        #expect(orientation == 1 || orientation == 4 ? difference == 0 : difference <= 4)
        #expect(difference * 3 < reencoded)
    }

    @Test func aRotationThatWouldMovePartialBlocksIsReencodedUpright() throws {
        // 50x30 at Q95 (4:4:4, 8x8 blocks): the bottom row of blocks is partial, so a 90° turn cannot be exact;
        // a transpose always is, and no turn at all is.
        let pixels = T.quadrantPixels(width: 50, height: 30)
        let rotated = try T.jpegWithMetadata(pixels, width: 50, height: 30, orientation: 6)
        #expect(LosslessJPEG.master(of: rotated, orientation: 6) == nil)
        let master = try ImageProcessor.master(of: rotated, source: try ImageSource(bytes: rotated))
        #expect(master.width == 30 && master.height == 50)
        let decoded = try T.decode(master.bytes)
        #expect(decoded.width == 30 && decoded.height == 50 && !decoded.metadataFields.contains { $0.hasPrefix("exif") })
        #expect(decoded.isColour(25, 5, T.red) && decoded.isColour(5, 45, T.yellow))
        for orientation in [1, 5] {
            let upload = try T.jpegWithMetadata(pixels, width: 50, height: 30, orientation: orientation)
            let exact = try ImageProcessor.master(of: upload, source: try ImageSource(bytes: upload))
            let difference = try #require(try ImageComparison.maximumAbsoluteDifference(upload, exact.bytes))
            #expect(orientation == 1 ? difference == 0 : difference <= 4)
            // Upright, only the metadata segments go; transposed, the transform made it.
            let expected = orientation == 1 ? JPEGMetadataStripper.strip(upload) : LosslessJPEG.master(of: upload, orientation: orientation)
            #expect(exact.bytes == expected)
        }
    }

    @Test func onlyAnSRGBProfileIsDroppedWithoutConverting() throws {
        let srgb = try Self.tagged("srgb"), p3 = try Self.tagged("p3")
        let srgbSource = try ImageSource(bytes: srgb), p3Source = try ImageSource(bytes: p3)
        #expect(srgbSource.allowsLosslessMaster && !p3Source.allowsLosslessMaster)
        let exact = try ImageProcessor.master(of: srgb, source: srgbSource)
        #expect(!(try T.decode(exact.bytes).hasField("icc-profile-data")))
        #expect(try ImageComparison.maximumAbsoluteDifference(srgb, exact.bytes) == 0)
        // P3 pixels are converted to sRGB by the re-encode, which stores no profile either.
        let converted = try ImageProcessor.master(of: p3, source: p3Source)
        #expect(!(try T.decode(converted.bytes).hasField("icc-profile-data")))
        #expect(try T.decode(converted.bytes).isColour(5, 5, T.red, tolerance: 12))
    }

    @Test func profilesAreReadByTheirDescription() throws {
        let srgb = try #require(try T.decode(Self.tagged("srgb")).image.blob("icc-profile-data"))
        let p3 = try #require(try T.decode(Self.tagged("p3")).image.blob("icc-profile-data"))
        #expect(ICCProfile.describesSRGB(srgb))
        #expect(!ICCProfile.describesSRGB(p3))
        #expect(ICCProfile.description(of: p3)?.contains("P3") == true)
        #expect(!ICCProfile.describesSRGB(Array(srgb.prefix(140))))
        #expect(!ICCProfile.describesSRGB([UInt8](repeating: 0xFF, count: 600)))
        #expect(!ICCProfile.describesSRGB([]))
    }

    @Test func aTruncatedJPEGIsStillRefusedAsDamaged() throws {
        let photo = [UInt8](try Data(contentsOf: T.testdata.appendingPathComponent("life_by_Aitzol_Berasategi.jpg")))
        let truncated = Array(photo.prefix(photo.count * 6 / 10))
        #expect(LosslessJPEG.master(of: truncated, orientation: 1) == nil)
        #expect(throws: ImagingError.self) { try ImageProcessor.master(of: truncated, source: try ImageSource(bytes: truncated)) }
    }

    /// A `width` x `height` corner of a real photo as a 4:2:0 JPEG (Q85) with EXIF `orientation`.
    static func photo(orientation: Int, width: Int, height: Int) throws -> [UInt8] {
        let photo = [UInt8](try Data(contentsOf: T.testdata.appendingPathComponent("Dune.jpg")))
        let corner = try ImageSource(bytes: photo).open()
            .apply("crop") { cvips_extract_area($0, &$1, 400, 300, Int32(width), Int32(height)) }
            .apply("copy") { cvips_copy_memory($0, &$1) }
        vips_image_set_int(corner.pointer, "orientation", Int32(orientation))
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        try #require(cvips_jpegsave_keep_metadata(corner.pointer, &buffer, &length, 85) == 0)
        defer { g_free(buffer) }
        return Array(UnsafeRawBufferPointer(start: buffer, count: length))
    }

    /// A 64x48 JPEG converted to and tagged with a libvips built-in profile.
    static func tagged(_ profile: String) throws -> [UInt8] {
        let image = try T.vipsImage(T.quadrantPixels(), width: 64, height: 48)
        let converted = try image.apply("icc") { cvips_icc_transform($0, &$1, profile) }
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        try #require(cvips_jpegsave_keep_metadata(converted.pointer, &buffer, &length, 95) == 0)
        defer { g_free(buffer) }
        return Array(UnsafeRawBufferPointer(start: buffer, count: length))
    }

    /// The markers of a JPEG's header up to its first scan.
    static func markers(_ jpeg: [UInt8]) -> [UInt8] {
        var found: [UInt8] = [], i = 2
        while i + 4 <= jpeg.count, jpeg[i] == 0xFF {
            let marker = jpeg[i + 1]
            found.append(marker)
            if marker == 0xDA { break }
            i += 2 + (Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3]))
        }
        return found
    }

    /// Start-of-frame markers: C0 baseline, C1 extended, C2 progressive.
    static func frameMarkers(_ jpeg: [UInt8]) -> [UInt8] { markers(jpeg).filter { (0xC0...0xC2).contains($0) } }
    /// Application markers: E0 JFIF, E1 EXIF or XMP, E2 ICC, ED IPTC.
    static func appMarkers(_ jpeg: [UInt8]) -> [UInt8] { markers(jpeg).filter { (0xE0...0xEF).contains($0) } }
}
