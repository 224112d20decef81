import Foundation
@testable import Imaging
import Testing
@testable import TestSupport
import Functions

/// Ordered pipelines: steps run in the order given, each checked against the size the steps before it make,
/// and a pipeline that is the fixed order after all is the fixed-order spec (one variant).
@Suite struct PipelineTests {
    typealias T = TestImages
    let quadrant: [UInt8]  // 64x48: red, green / blue, yellow

    init() throws {
        quadrant = try T.encode(T.quadrantPixels(), width: 64, height: 48, as: .png)
    }

    func fields(_ json: String, size: (Int, Int) = (64, 48)) -> [String] {
        do {
            _ = try TransformationParsing.parse(body: #"{"transformations":\#(json)}"#, forImageOf: size)
            return []
        } catch let error as TransformationErrors {
            return error.errors.map(\.field)
        } catch {
            return ["not a spec error: \(error)"]
        }
    }

    func solid(_ d: T.Decoded, _ colour: T.RGB) -> Bool {
        stride(from: 0, to: d.width, by: 2).allSatisfy { x in stride(from: 0, to: d.height, by: 2).allSatisfy { y in d.isColour(x, y, colour) } }
    }

    @Test func stepsRunInTheOrderGiven() throws {
        // Rotated first (blue is then top-left), the crop takes blue; in the fixed order the crop comes first.
        let (_, rotatedThenCropped) = try T.transform(quadrant, #"{"pipeline":[{"rotate":90},{"crop":{"x":0,"y":0,"width":24,"height":32}}]}"#)
        #expect(rotatedThenCropped.width == 24 && rotatedThenCropped.height == 32)
        #expect(solid(rotatedThenCropped, T.blue))
        let (_, fixed) = try T.transform(quadrant, #"{"crop":{"x":0,"y":0,"width":24,"height":24},"rotate":90}"#)
        #expect(solid(fixed, T.red))
        // Resized to 32x24 first, the crop's coordinates are the small image's: its top-right quarter is green.
        let (_, resizedThenCropped) = try T.transform(quadrant, #"{"pipeline":[{"resize":{"width":32}},{"crop":{"x":16,"y":0,"width":16,"height":12}}]}"#)
        #expect(resizedThenCropped.width == 16 && resizedThenCropped.height == 12)
        #expect(solid(resizedThenCropped, T.green))
        // Filters between geometric steps, twice the same kind: mirror, grey, mirror again.
        let (_, twice) = try T.transform(quadrant, #"{"pipeline":[{"mirror":true},{"filters":{"grayscale":true}},{"mirror":true}],"format":"jpeg"}"#)
        #expect(twice.width == 64 && twice.height == 48)
        let p = twice.pixel(8, 8)
        #expect(abs(p[0] - p[1]) < 8 && abs(p[1] - p[2]) < 8)  // grey
    }

    @Test func eachCropIsCheckedAgainstTheImageBeforeIt() throws {
        // Fits the 64x48 source, not the 32x24 the resize makes.
        #expect(fields(#"{"pipeline":[{"resize":{"width":32}},{"crop":{"x":20,"y":0,"width":16,"height":12}}]}"#) == ["transformations.pipeline[1].crop"])
        #expect(fields(#"{"pipeline":[{"resize":{"width":32}},{"crop":{"x":16,"y":0,"width":16,"height":12}}]}"#) == [])
        // After a rotation by 30 degrees the canvas is what libvips makes it: a crop of exactly that passes,
        // one pixel more does not.
        let (_, rotated) = try T.transform(quadrant, #"{"rotate":30}"#)
        let (w, h) = (rotated.width, rotated.height)
        #expect(w > 64 && h > 48)
        #expect(fields(#"{"pipeline":[{"rotate":30},{"crop":{"x":0,"y":0,"width":\#(w),"height":\#(h)}}]}"#) == [])
        #expect(fields(#"{"pipeline":[{"rotate":30},{"crop":{"x":0,"y":0,"width":\#(w + 1),"height":\#(h)}}]}"#) == ["transformations.pipeline[1].crop"])
        let (_, cropped) = try T.transform(quadrant, #"{"pipeline":[{"rotate":30},{"crop":{"x":0,"y":0,"width":\#(w),"height":\#(h)}},{"resize":{"width":10}}]}"#)
        #expect(cropped.width == 10)
        // Contain pads to its box, so a crop of the whole box fits.
        #expect(fields(#"{"pipeline":[{"resize":{"width":40,"height":40,"fit":"contain"}},{"crop":{"x":0,"y":0,"width":40,"height":40}}]}"#) == [])
    }

    @Test func aPipelineInTheFixedOrderIsTheFixedSpec() throws {
        let pipeline = try T.parse(#"{"pipeline":[{"crop":{"x":0,"y":0,"width":40,"height":30}},{"resize":{"width":20}},{"flip":false},{"filters":{"sepia":true}}]}"#)
        let fixed = try T.parse(#"{"filters":{"sepia":true},"resize":{"width":20},"crop":{"x":0,"y":0,"width":40,"height":30}}"#)
        #expect(pipeline == fixed && pipeline.hash == fixed.hash && pipeline.isFixedOrder)
        // Out of that order it is a pipeline, and another variant; its canonical form keeps the order and
        // parses back to the same spec.
        let reordered = try T.parse(#"{"pipeline":[{"resize":{"width":20}},{"crop":{"x":0,"y":0,"width":10,"height":10}}],"format":"png"}"#)
        #expect(reordered.hash != fixed.hash)
        #expect(reordered.canonicalJSON == #"{"format":"png","pipeline":[{"resize":{"fit":"inside","width":20}},{"crop":{"height":10,"width":10,"x":0,"y":0}}]}"#)
        #expect(try T.parse(reordered.canonicalJSON) == reordered)
        // Steps that change nothing are dropped before the comparison.
        #expect(try T.parse(#"{"pipeline":[{"rotate":360},{"resize":{"width":20}},{"mirror":false}]}"#) == (try T.parse(#"{"resize":{"width":20}}"#)))
    }

    @Test func everyBadStepIsNamed() {
        #expect(fields(#"{"pipeline":[{"resize":{"width":20}}],"resize":{"width":10},"flip":true}"#) == ["transformations.flip", "transformations.resize"])
        #expect(fields(#"{"pipeline":[{"resize":{"width":0}},{"rotate":"x"},{"zoom":2},{"flip":true,"mirror":true},3]}"#) == [
            "transformations.pipeline[0].resize.width", "transformations.pipeline[1].rotate", "transformations.pipeline[2]",
            "transformations.pipeline[3]", "transformations.pipeline[4]",
        ])
        #expect(fields(#"{"pipeline":[]}"#) == ["transformations.pipeline"])
        #expect(fields(#"{"pipeline":{"flip":true}}"#) == ["transformations.pipeline"])
        let seventeen = Array(repeating: #"{"mirror":true}"#, count: 17).joined(separator: ",")
        #expect(fields(#"{"pipeline":[\#(seventeen)]}"#) == ["transformations.pipeline"])
    }
}
