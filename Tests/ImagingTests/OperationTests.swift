import Foundation
@testable import Imaging
import Testing
@testable import TestSupport

/// Every operation on a four-colour quadrant image (64x48: red, green / blue, yellow), checked on the decoded
/// output's size and pixel colours.
@Suite struct OperationTests {
    typealias T = TestImages
    let quadrant: [UInt8]
    let w = 64, h = 48

    init() throws {
        quadrant = try T.encode(T.quadrantPixels(), width: 64, height: 48, as: .png)
    }

    func expectQuadrants(_ d: T.Decoded, _ tl: T.RGB, _ tr: T.RGB, _ bl: T.RGB, _ br: T.RGB, sourceLocation: SourceLocation = #_sourceLocation) {
        let (qx, qy) = (d.width / 4, d.height / 4)
        #expect(d.isColour(qx, qy, tl), "top-left is \(d.pixel(qx, qy))", sourceLocation: sourceLocation)
        #expect(d.isColour(d.width - 1 - qx, qy, tr), "top-right is \(d.pixel(d.width - 1 - qx, qy))", sourceLocation: sourceLocation)
        #expect(d.isColour(qx, d.height - 1 - qy, bl), "bottom-left is \(d.pixel(qx, d.height - 1 - qy))", sourceLocation: sourceLocation)
        #expect(d.isColour(d.width - 1 - qx, d.height - 1 - qy, br), "bottom-right is \(d.pixel(d.width - 1 - qx, d.height - 1 - qy))", sourceLocation: sourceLocation)
    }

    @Test func formatChangeKeepsThePixels() throws {
        let (result, d) = try T.transform(quadrant, #"{"format":"webp","quality":95}"#)
        #expect(result.format == .webp && d.format == .webp)
        #expect(d.width == w && d.height == h)
        expectQuadrants(d, T.red, T.green, T.blue, T.yellow)
    }

    @Test func rotate90MovesTopLeftToTopRightAndSwapsSides() throws {
        let (_, d) = try T.transform(quadrant, #"{"rotate":90}"#)
        #expect(d.width == h && d.height == w)
        expectQuadrants(d, T.blue, T.red, T.yellow, T.green)
    }

    @Test func rotate180And270() throws {
        let (_, half) = try T.transform(quadrant, #"{"rotate":180}"#)
        #expect(half.width == w && half.height == h)
        expectQuadrants(half, T.yellow, T.blue, T.green, T.red)
        let (_, three) = try T.transform(quadrant, #"{"rotate":-90}"#)
        #expect(three.width == h && three.height == w)
        expectQuadrants(three, T.green, T.yellow, T.red, T.blue)
    }

    @Test func otherAnglesEnlargeTheCanvasWithWhiteOrTransparentCorners() throws {
        let (_, jpeg) = try T.transform(quadrant, #"{"rotate":45,"format":"jpeg"}"#)
        #expect(jpeg.width > w && jpeg.height > h)
        #expect(jpeg.isColour(1, 1, (255, 255, 255), tolerance: 10))
        let (_, png) = try T.transform(quadrant, #"{"rotate":45}"#)
        #expect(png.bands == 4)
        #expect(png.pixel(1, 1).last == 0)  // transparent corner
        #expect(png.pixel(png.width / 2, png.height / 2).last == 255)
    }

    @Test func flipTurnsUpsideDownAndMirrorReversesLeftToRight() throws {
        let (_, flipped) = try T.transform(quadrant, #"{"flip":true}"#)
        expectQuadrants(flipped, T.blue, T.yellow, T.red, T.green)
        let (_, mirrored) = try T.transform(quadrant, #"{"mirror":true}"#)
        expectQuadrants(mirrored, T.green, T.red, T.yellow, T.blue)
    }

    @Test func cropCutsTheRectangle() throws {
        let (_, d) = try T.transform(quadrant, #"{"crop":{"x":32,"y":0,"width":32,"height":24}}"#)
        #expect(d.width == 32 && d.height == 24)
        expectQuadrants(d, T.green, T.green, T.green, T.green)
        #expect(throws: ImagingError.self) { try T.transform(quadrant, #"{"crop":{"x":40,"y":0,"width":32,"height":24}}"#) }
    }

    @Test func resizeFits() throws {
        let (_, fill) = try T.transform(quadrant, #"{"resize":{"width":100,"height":100}}"#)
        #expect(fill.width == 100 && fill.height == 100)
        expectQuadrants(fill, T.red, T.green, T.blue, T.yellow)

        let (_, inside) = try T.transform(quadrant, #"{"resize":{"width":100,"height":100,"fit":"inside"}}"#)
        #expect(inside.width == 100 && inside.height == 75)

        let (_, oneSide) = try T.transform(quadrant, #"{"resize":{"height":24}}"#)
        #expect(oneSide.width == 32 && oneSide.height == 24)

        let (_, cover) = try T.transform(quadrant, #"{"resize":{"width":48,"height":48,"fit":"cover"}}"#)
        #expect(cover.width == 48 && cover.height == 48)
        expectQuadrants(cover, T.red, T.green, T.blue, T.yellow)  // cropped around the centre

        let (_, contain) = try T.transform(quadrant, #"{"resize":{"width":64,"height":64,"fit":"contain"},"format":"jpeg"}"#)
        #expect(contain.width == 64 && contain.height == 64)
        #expect(contain.isColour(32, 2, (255, 255, 255), tolerance: 10))  // white padding above
        let (_, containPNG) = try T.transform(quadrant, #"{"resize":{"width":64,"height":64,"fit":"contain"}}"#)
        #expect(containPNG.pixel(32, 2).last == 0)  // transparent padding
        #expect(containPNG.isColour(16, 20, T.red))
    }

    @Test func cropThenResizeUsesTheCroppedPart() throws {
        let (_, d) = try T.transform(quadrant, #"{"crop":{"x":0,"y":24,"width":32,"height":24},"resize":{"width":10}}"#)
        #expect(d.width == 10)
        #expect(d.isColour(5, d.height / 2, T.blue))
    }

    @Test func grayscaleGivesEqualChannels() throws {
        let (_, d) = try T.transform(quadrant, #"{"filters":{"grayscale":true},"format":"jpeg"}"#)
        for (x, y) in [(8, 8), (56, 8), (8, 40), (56, 40)] {
            let p = d.pixel(x, y)
            #expect(abs(p[0] - p[1]) <= 2 && abs(p[1] - p[2]) <= 2, "\(p)")
        }
        // Green is lighter than blue in grey.
        #expect(d.pixel(56, 8)[0] > d.pixel(8, 40)[0])
    }

    @Test func sepiaOnGreyIsWarm() throws {
        let grey = try T.encode(T.solid((128, 128, 128)), width: 32, height: 32)
        let (_, d) = try T.transform(grey, #"{"filters":{"sepia":true}}"#)
        let p = d.pixel(16, 16)
        #expect(p[0] > p[1] && p[1] > p[2], "\(p)")
    }

    @Test func invertGivesTheNegativeAndKeepsAlpha() throws {
        let (_, d) = try T.transform(quadrant, #"{"filters":{"invert":true}}"#)
        expectQuadrants(d, (0, 255, 255), (255, 55, 255), (255, 255, 0), (0, 0, 255))
        var rgba = [UInt8]()
        for _ in 0..<(16 * 16) { rgba += [200, 100, 50, 128] }
        let translucent = try T.encode(rgba, width: 16, height: 16, bands: 4)
        let (_, inverted) = try T.transform(translucent, #"{"filters":{"invert":true}}"#)
        #expect(inverted.pixel(8, 8) == [55, 155, 205, 128])
    }

    @Test func blurSoftensEdgesAndSharpenKeepsSize() throws {
        let (_, blurred) = try T.transform(quadrant, #"{"filters":{"blur":3}}"#)
        // At the red/green edge, a blurred pixel is a mix.
        let edge = blurred.pixel(31, 6)
        #expect(edge[0] > 40 && edge[0] < 230 && edge[1] > 30, "\(edge)")
        let (_, sharpened) = try T.transform(quadrant, #"{"filters":{"sharpen":true}}"#)
        #expect(sharpened.width == w && sharpened.height == h)
        expectQuadrants(sharpened, T.red, T.green, T.blue, T.yellow)
    }

    @Test func watermarkDrawsInItsCornerOnly() throws {
        let grey = try T.encode(T.solid((128, 128, 128), width: 400, height: 300), width: 400, height: 300)
        let (_, d) = try T.transform(grey, #"{"watermark":{"text":"ImageFunctions","opacity":1}}"#)
        #expect(d.width == 400 && d.height == 300)
        var changedBottomRight = 0, changedTopLeft = 0
        for y in stride(from: 0, to: 300, by: 3) {
            for x in stride(from: 0, to: 400, by: 3) where !d.isColour(x, y, (128, 128, 128), tolerance: 6) {
                if x > 200, y > 250 { changedBottomRight += 1 }
                if x < 150, y < 150 { changedTopLeft += 1 }
            }
        }
        #expect(changedBottomRight > 20)
        #expect(changedTopLeft == 0)
        let whitest = (250..<300).flatMap { y in (200..<400).map { x in d.pixel(x, y)[0] } }.max() ?? 0
        let darkest = (250..<300).flatMap { y in (200..<400).map { x in d.pixel(x, y)[0] } }.min() ?? 255
        #expect(whitest > 220)  // white text
        #expect(darkest < 90)  // dark outline
    }

    @Test func combinedSpecsInAnyKeyOrderGiveIdenticalBytes() throws {
        let a = try T.transform(quadrant, #"{"rotate":90,"resize":{"width":30},"filters":{"sepia":true,"blur":1},"mirror":true,"format":"png"}"#).0
        let b = try T.transform(quadrant, #"{"format":"png","mirror":true,"filters":{"blur":1.0,"sepia":true},"resize":{"width":30},"rotate":450}"#).0
        #expect(a.bytes == b.bytes)
        #expect(try T.parse(#"{"rotate":90,"resize":{"width":30},"filters":{"sepia":true,"blur":1},"mirror":true,"format":"png"}"#).hash
            == T.parse(#"{"format":"png","mirror":true,"filters":{"blur":1.0,"sepia":true},"resize":{"width":30},"rotate":450}"#).hash)
    }
}
