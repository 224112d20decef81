import Foundation
@testable import Imaging
import Testing
@testable import TestSupport

/// Input meant to crash, exhaust or trick the decoder: each is a clean typed error.
@Suite struct HostileInputTests {
    typealias T = TestImages

    func code(_ bytes: [UInt8], process: Bool = true) -> ImagingError.Code? {
        do {
            let source = try ImageSource(bytes: bytes)
            if process { _ = try ImageProcessor.process(source, spec: try T.parse(#"{"format":"png"}"#)) }
            return nil
        } catch let error as ImagingError {
            #expect(!error.message.contains("vips"), "messages are ours, not libvips's")
            return error.code
        } catch {
            return nil
        }
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// A valid PNG signature and IHDR declaring `side` x `side` pixels, and a tiny IDAT: a decompression bomb's header.
    static func pngHeader(side: UInt32) -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let ihdr: [UInt8] = Array("IHDR".utf8) + bigEndian(side) + bigEndian(side) + [8, 2, 0, 0, 0]
        out += bigEndian(13) + ihdr + bigEndian(crc32(ihdr))
        let idat: [UInt8] = Array("IDAT".utf8) + [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]
        out += bigEndian(8) + idat + bigEndian(crc32(idat))
        return out
    }

    @Test func decompressionBombIsRefusedFromItsHeader() {
        #expect(code(Self.pngHeader(side: 50_000)) == .imageTooLarge)
        #expect(code(Self.pngHeader(side: 8_000)) == .imageTooLarge)  // 64 MP, over 50 MP
    }

    @Test func jpegClaiming65000x65000IsRefused() throws {
        var jpeg = try T.encode(T.quadrantPixels(), width: 64, height: 48, as: .jpeg)
        // Patch the frame header (SOF0, FF C0): height and width follow the length and precision bytes.
        let sof = try #require((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg[sof + 5] = 0xFD; jpeg[sof + 6] = 0xE8  // 65000
        jpeg[sof + 7] = 0xFD; jpeg[sof + 8] = 0xE8
        #expect(code(jpeg) == .imageTooLarge)
    }

    @Test(arguments: [ImageFormat.jpeg, .png, .webp])
    func truncatedFilesAreCorrupt(_ format: ImageFormat) throws {
        let photo = try T.encode(T.quadrantPixels(width: 512, height: 384), width: 512, height: 384, as: format)
        let truncated = Array(photo.prefix(photo.count / 2))
        #expect(code(truncated) == .corruptImage)
    }

    /// An animated GIF or WebP cut anywhere in its last frame (or short of its end) is refused, as a cut still
    /// image is: libvips alone filled a GIF's cut third frame in and reported three whole frames.
    @Test(arguments: [ImageFormat.gif, .webp])
    func anAnimationCutAnywhereInItsLastFrameIsCorrupt(_ format: ImageFormat) throws {
        let whole = try T.Animation.animation(format)
        #expect(code(whole, process: false) == nil)
        #expect(try ImageSource(bytes: whole).frames == 3)
        // The last third of the file holds the third frame and the end.
        for length in stride(from: whole.count * 2 / 3, to: whole.count, by: 1) {
            let cut = Array(whole.prefix(length))
            let refused: ImagingError.Code?
            do {
                let source = try ImageSource(bytes: cut)
                try source.verifyDecodes()
                refused = nil
            } catch {
                refused = error.code
            }
            #expect(refused == .corruptImage, "\(format) cut to \(length) of \(whole.count) bytes was read")
        }
    }

    /// Truncation is found on every load path: plain, JPEG shrink-on-load, and libvips's resize-while-loading.
    @Test(arguments: [#"{"format":"png"}"#, #"{"resize":{"width":300}}"#, #"{"resize":{"width":1000}}"#, #"{"rotate":90}"#])
    func truncatedPhotoIsCorruptWhateverTheSpec(_ json: String) throws {
        let photo = try [UInt8](Data(contentsOf: T.testdata.appendingPathComponent("Dune.jpg")))
        let truncated = Array(photo.prefix(50_000))
        do {
            _ = try ImageProcessor.process(try ImageSource(bytes: truncated), spec: try T.parse(json))
            Issue.record("\(json): a truncated photo was processed")
        } catch let error as ImagingError {
            #expect(error.code == .corruptImage, "\(json): \(error)")
        }
    }

    @Test func otherFormatsAndNonImagesAreUnsupported() {
        let svg = Array(#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="10" height="10"/></svg>"#.utf8)
        let pdf = Array("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
        let ppm = Array("P6\n4 4\n255\n".utf8) + [UInt8](repeating: 200, count: 48)
        var matlab = Array("MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024".utf8)
        matlab += [UInt8](repeating: 0x20, count: 116 - matlab.count) + [UInt8](repeating: 0, count: 8) + [0x00, 0x01, 0x49, 0x4D]
        let text = Array("just some text, not an image at all".utf8)
        for bytes in [svg, pdf, ppm, matlab, text] {
            #expect(code(bytes, process: false) == .unsupportedFormat)
        }
        #expect(code([], process: false) == .emptyImage)
    }

    @Test func overTheByteLimitIsRefusedBeforeReading() {
        #expect(throws: ImagingError.self) { try ImageSource(bytes: [UInt8](repeating: 0xFF, count: 2048), limits: .init(maxBytes: 1024)) }
    }

    @Test(arguments: [ImageFormat.jpeg, .png, .webp, .gif])
    func bitFlippedFilesGiveAnImageOrATypedError(_ format: ImageFormat) throws {
        let original = try T.encode(T.quadrantPixels(width: 256, height: 192), width: 256, height: 192, as: format)
        var generator = SystemRandomNumberGenerator()
        let allowed: Set<ImagingError.Code> = [.corruptImage, .unsupportedFormat, .imageTooLarge, .transformationFailed]
        for _ in 0..<25 {
            var damaged = original
            for _ in 0..<8 {
                let i = Int.random(in: 4..<damaged.count, using: &generator)
                damaged[i] ^= UInt8.random(in: 1...255, using: &generator)
            }
            do {
                let result = try ImageProcessor.process(try ImageSource(bytes: damaged), spec: try T.parse(#"{"format":"png"}"#))
                #expect(!result.bytes.isEmpty)  // damage libvips could decode around still gives an image
            } catch let error as ImagingError {
                #expect(allowed.contains(error.code), "\(error)")
            }
        }
    }
}
