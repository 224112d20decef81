import CVips
import Foundation
@testable import Imaging
import Testing
@testable import TestSupport
import Functions

/// Animated GIF and WebP keep every frame, with their delays and loop count, through the operations and
/// between the two formats; a still result or `"animated": false` takes the first frame. Checked on the
/// decoded frames of generated animations.
@Suite struct AnimationTests {
    typealias T = TestImages
    typealias A = TestImages.Animation

    func transform(_ bytes: [UInt8], _ json: String) throws -> (EncodedImage, A.Frames) {
        let result = try ImageProcessor.process(try ImageSource(bytes: bytes), spec: try T.parse(json))
        return (result, try A.frames(of: result.bytes))
    }

    @Test(arguments: [ImageFormat.gif, .webp])
    func everyFrameIsResizedAndKeepsItsDelay(_ format: ImageFormat) throws {
        let (result, frames) = try transform(try A.animation(format), #"{"resize":{"width":20}}"#)
        #expect(result.format == format && result.width == 20 && result.height == 15)
        #expect(frames.count == 3 && frames.pageHeight == 15)
        #expect(frames.delays == A.delays)
        #expect(frames.loop == 2)
        for (k, (top, bottom)) in A.frames.enumerated() {
            #expect(frames.isColour(frame: k, 10, 3, top) && frames.isColour(frame: k, 10, 11, bottom), "frame \(k)")
        }
    }

    @Test func rotationsFlipsAndCropsApplyToEachFrameInOrder() throws {
        let gif = try A.animation(.gif)
        // 90 degrees clockwise: the top half goes right.
        let (rotated, r) = try transform(gif, #"{"rotate":90}"#)
        #expect(rotated.width == 30 && rotated.height == 40 && r.count == 3)
        for (k, (top, bottom)) in A.frames.enumerated() {
            #expect(r.isColour(frame: k, 25, 20, top) && r.isColour(frame: k, 5, 20, bottom), "rotated frame \(k)")
        }
        // A flip turns each frame upside down; the frames keep their order.
        let (_, f) = try transform(gif, #"{"flip":true,"mirror":true}"#)
        for (k, (top, bottom)) in A.frames.enumerated() {
            #expect(f.isColour(frame: k, 20, 25, top) && f.isColour(frame: k, 20, 5, bottom), "flipped frame \(k)")
        }
        // A crop of the bottom half of every frame, grey: three frames of one colour each.
        let (cropped, c) = try transform(gif, #"{"crop":{"x":0,"y":15,"width":40,"height":15},"filters":{"grayscale":true}}"#)
        #expect(cropped.height == 15 && c.count == 3 && c.delays == A.delays)
        let p = c.image.pixel(20, 7)
        #expect(abs(p[0] - p[1]) < 10 && abs(p[1] - p[2]) < 10)
        // So does a watermark, on every frame.
        let (marked, m) = try transform(gif, #"{"watermark":{"text":"W","position":"center","opacity":1}}"#)
        #expect(marked.width == 40 && m.count == 3 && m.delays == A.delays)
        // A pipeline runs per frame too.
        let (piped, pp) = try transform(gif, #"{"pipeline":[{"rotate":90},{"crop":{"x":15,"y":0,"width":15,"height":40}}]}"#)
        #expect(piped.width == 15 && pp.count == 3)
        for (k, (top, _)) in A.frames.enumerated() { #expect(pp.isColour(frame: k, 7, 20, top), "piped frame \(k)") }
    }

    @Test func gifAndWebPConvertIntoEachOtherAnimated() throws {
        let (webp, w) = try transform(try A.animation(.gif), #"{"format":"webp","quality":95}"#)
        #expect(webp.format == .webp && w.count == 3 && w.delays == A.delays && w.loop == 2)
        let (gif, g) = try transform(webp.bytes, #"{"format":"gif"}"#)
        #expect(gif.format == .gif && g.count == 3 && g.delays == A.delays)
        for (k, (top, bottom)) in A.frames.enumerated() {
            #expect(g.isColour(frame: k, 20, 5, top) && g.isColour(frame: k, 20, 25, bottom), "frame \(k)")
        }
    }

    @Test func aStillResultOrAnimatedFalseTakesTheFirstFrame() throws {
        let gif = try A.animation(.gif)
        for json in [#"{"animated":false}"#, #"{"format":"png"}"#, #"{"format":"jpeg","resize":{"width":20}}"#] {
            let (result, frames) = try transform(gif, json)
            #expect(frames.count == 1, "\(json)")
            #expect(frames.isColour(frame: 0, result.width / 2, 2, T.red) && frames.isColour(frame: 0, result.width / 2, result.height - 3, T.blue), "\(json)")
        }
        // `animated: false` is a change of its own; true is the default and is left out of the identity.
        #expect(!(try T.parse(#"{"animated":false}"#)).isEmpty)
        #expect(try T.parse(#"{"animated":true,"flip":true}"#).canonicalJSON == #"{"flip":true}"#)
        #expect(try T.parse(#"{"animated":false,"flip":true}"#).canonicalJSON == #"{"animated":false,"flip":true}"#)
        #expect(try TransformationParsing.parse(urlOptions: "flip,still") == (try T.parse(#"{"animated":false,"flip":true}"#)))
    }

    @Test func theLimitsCountEveryFrameBeforeDecoding() throws {
        let gif = try A.animation(.gif)  // 3 frames of 40x30: 3,600 pixels
        #expect(throws: ImagingError.self) { try ImageSource(bytes: gif, limits: ImageLimits(maxPixels: 3_599)) }
        #expect(try ImageSource(bytes: gif, limits: ImageLimits(maxPixels: 3_600)).frames == 3)
        // Stored as uploaded, every frame checked.
        #expect(try ImageSource(bytes: gif).needsNormalizing == false)
    }
}
