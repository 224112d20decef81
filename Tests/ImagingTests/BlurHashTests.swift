import ChildProcess
import Foundation
@testable import Imaging
import Testing
@testable import TestSupport

/// Our BlurHash encoder against the reference one: Wolt's `blurhash-python` (PyPI), a binding of the C
/// encoder that blurha.sh publishes, on exactly the same pixels. The reference's own test vectors need its
/// sample photos, which are not available here; the reference itself is, as botocore is for SigV4.
@Suite struct BlurHashTests {
    /// Deterministic test pixels: gradients, a hard edge and a patch of noise, so that every AC term and the
    /// quantization's rounding are exercised.
    static func pixels(width: Int, height: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        func next() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                if x > width * 2 / 3, y > height / 2 {
                    (rgb[i], rgb[i + 1], rgb[i + 2]) = (next(), next(), next())
                } else {
                    rgb[i] = UInt8(255 * x / max(1, width - 1))
                    rgb[i + 1] = UInt8(255 * y / max(1, height - 1))
                    rgb[i + 2] = x < width / 3 ? 230 : 20
                }
            }
        }
        return rgb
    }

    /// The reference's hash of raw RGB bytes.
    static func reference(_ rgb: [UInt8], width: Int, height: Int, x: Int, y: Int) async throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("blurhash-\(UUID().uuidString).rgb")
        try Data(rgb).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
            import sys, blurhash
            from PIL import Image
            w, h, x, y = (int(v) for v in sys.argv[2:6])
            print(blurhash.encode(Image.frombytes("RGB", (w, h), open(sys.argv[1], "rb").read()), x, y))
            """
        let result = try await ChildProcess.run(
            "/usr/bin/env", ["python3", "-c", script, file.path, "\(width)", "\(height)", "\(x)", "\(y)"], output: .captureMerged
        )
        try #require(result.status == 0, "the reference encoder did not run (pip install blurhash-python pillow): \(result.text)")
        return result.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: [(32, 32, 4, 3), (32, 20, 1, 1), (17, 29, 9, 9), (40, 30, 5, 2), (3, 3, 2, 7)])
    func matchesTheReferenceEncoder(_ size: (Int, Int, Int, Int)) async throws {
        let (width, height, x, y) = size
        for seed in [1, 2, 3] as [UInt64] {
            let rgb = Self.pixels(width: width, height: height, seed: seed)
            let ours = try #require(BlurHash.encode(rgb: rgb, width: width, height: height, xComponents: x, yComponents: y))
            #expect(ours.count == 4 + 2 * x * y)
            #expect(ours == (try await Self.reference(rgb, width: width, height: height, x: x, y: y)), "\(width)x\(height), \(x)x\(y), seed \(seed)")
        }
    }

    @Test func aPhotosThumbnailMatchesTooAndFlatImagesHaveNoACEnergy() async throws {
        // The thumbnail the service hashes, of a real photo.
        let source = try ImageSource(bytes: [UInt8](try Data(contentsOf: TestImages.testdata.appendingPathComponent("Dune.jpg"))))
        let thumbnail = try ImageProperties.thumbnailRGB(source)
        let ours = try #require(BlurHash.encode(rgb: thumbnail.rgb, width: thumbnail.width, height: thumbnail.height))
        #expect(ours == (try await Self.reference(thumbnail.rgb, width: thumbnail.width, height: thumbnail.height, x: 4, y: 3)))
        // A flat grey: the maximum is quantized to 0 and every AC term to the middle of its range.
        let grey = [UInt8](repeating: 128, count: 8 * 8 * 3)
        let flat = try #require(BlurHash.encode(rgb: grey, width: 8, height: 8))
        #expect(flat == (try await Self.reference(grey, width: 8, height: 8, x: 4, y: 3)))
        #expect(BlurHash.encode(rgb: grey, width: 8, height: 8, xComponents: 0) == nil)
        #expect(BlurHash.encode(rgb: grey, width: 8, height: 8, xComponents: 10) == nil)
    }
}
