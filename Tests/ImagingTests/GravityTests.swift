import CVips
import Foundation
@testable import Imaging
import Testing
@testable import TestSupport
import Functions

/// `resize.gravity` for `cover`: which part of the image the crop keeps, checked on decoded pixels; and what
/// the spec accepts, refuses and hashes.
@Suite struct GravityTests {
    typealias T = TestImages
    let quadrant: [UInt8]

    init() throws {
        quadrant = try T.encode(T.quadrantPixels(), width: 64, height: 48, as: .png)
    }

    func cover(_ width: Int, _ height: Int, _ gravity: String, _ source: [UInt8]? = nil) throws -> T.Decoded {
        try T.transform(source ?? quadrant, #"{"resize":{"width":\#(width),"height":\#(height),"fit":"cover","gravity":"\#(gravity)"}}"#).1
    }

    /// The colour of every pixel of a result, when they are all (nearly) one.
    func solid(_ d: T.Decoded, _ colour: T.RGB) -> Bool {
        stride(from: 0, to: d.width, by: 3).allSatisfy { x in stride(from: 0, to: d.height, by: 3).allSatisfy { y in d.isColour(x, y, colour) } }
    }

    @Test func compassGravitiesKeepTheirEdgeOfTheAxisThatIsCut() throws {
        // 64x48 (red, green / blue, yellow) to 16x48: a 16 px column is kept.
        let west = try cover(16, 48, "west"), east = try cover(16, 48, "east"), centre = try cover(16, 48, "centre")
        #expect(west.isColour(8, 12, T.red) && west.isColour(8, 36, T.blue) && west.isColour(15, 12, T.red))
        #expect(east.isColour(0, 12, T.green) && east.isColour(8, 36, T.yellow))
        #expect(centre.isColour(3, 12, T.red) && centre.isColour(12, 12, T.green))  // split down the middle
        // To 64x12: a 12 px band is kept.
        #expect(solid(try cover(64, 12, "north").cropped(0, 0, 32, 12), T.red))
        #expect(solid(try cover(64, 12, "south").cropped(32, 0, 32, 12), T.yellow))
        // A corner is the edge of whichever axis is cut.
        let northeastColumn = try cover(16, 48, "northeast"), northeastBand = try cover(64, 12, "northeast")
        #expect(northeastColumn.isColour(8, 12, T.green) && northeastBand.isColour(8, 6, T.red))
        let southwestColumn = try cover(16, 48, "southwest"), southwestBand = try cover(64, 12, "southwest")
        #expect(southwestColumn.isColour(8, 12, T.red) && southwestBand.isColour(8, 6, T.blue))
        // A compass gravity along the axis that is not cut changes nothing.
        #expect(try cover(16, 48, "north").isColour(12, 12, T.green) == centre.isColour(12, 12, T.green))
    }

    /// A flat grey photo with its subject, a saturated red and yellow checkerboard, far right of centre.
    static func offCentreSubject() throws -> [UInt8] {
        let (w, h) = (400, 200)
        var pixels = [UInt8](repeating: 128, count: w * h * 3)
        for y in 60..<140 {
            for x in 300..<380 {
                let red = ((x / 8) + (y / 8)) % 2 == 0
                let i = (y * w + x) * 3
                (pixels[i], pixels[i + 1], pixels[i + 2]) = red ? (220, 20, 30) : (250, 220, 10)
            }
        }
        return try T.encode(pixels, width: w, height: h)
    }

    /// The number of saturated pixels (the subject's) in a result.
    func subjectPixels(_ d: T.Decoded) -> Int {
        var n = 0
        for y in 0..<d.height {
            for x in 0..<d.width {
                let p = d.pixel(x, y)
                if p.count >= 3, (p.max() ?? 0) - (p.min() ?? 0) > 100 { n += 1 }
            }
        }
        return n
    }

    @Test func smartAndEntropyMoveTheCropToAnOffCentreSubject() throws {
        let photo = try Self.offCentreSubject()
        // 400x200 to 100x100: scaled to 200x100, a 100 px window is kept; the centre one (50...150) misses the
        // subject (150...190 once scaled).
        let centre = try cover(100, 100, "centre", photo)
        #expect(centre.width == 100 && centre.height == 100)
        #expect(subjectPixels(centre) == 0)
        for gravity in ["smart", "entropy"] {
            let moved = try cover(100, 100, gravity, photo)
            #expect(moved.width == 100 && moved.height == 100)
            // The whole subject, 40x40 once scaled, is in the window (its edges blend a little).
            #expect(subjectPixels(moved) > 1200, "\(gravity): \(subjectPixels(moved)) subject pixels")
        }
    }

    @Test func theSpecAcceptsGravityOnlyWhereACropHappens() throws {
        func fields(_ json: String) -> [String] {
            do {
                _ = try T.parse(json)
                return []
            } catch let error as TransformationErrors {
                return error.errors.map(\.field)
            } catch {
                return ["not a spec error: \(error)"]
            }
        }
        // A gravity with both sides and no fit means cover; `center` is `centre`; the default is left out of
        // the canonical form, so specs from before gravity keep their hash.
        let implied = try T.parse(#"{"resize":{"width":10,"height":20,"gravity":"smart"}}"#)
        #expect(implied.steps == [.resize(.init(width: 10, height: 20, fit: .cover, gravity: .smart))])
        #expect(implied.canonicalJSON == #"{"resize":{"fit":"cover","gravity":"smart","height":20,"width":10}}"#)
        let centred = try T.parse(#"{"resize":{"width":10,"height":20,"fit":"cover","gravity":"center"}}"#)
        #expect(centred == (try T.parse(#"{"resize":{"width":10,"height":20,"fit":"cover"}}"#)))
        #expect(centred.canonicalJSON == #"{"resize":{"fit":"cover","height":20,"width":10}}"#)
        #expect(fields(#"{"resize":{"width":10,"height":20,"fit":"inside","gravity":"north"}}"#) == ["transformations.resize.gravity"])
        #expect(fields(#"{"resize":{"width":10,"gravity":"smart"}}"#) == ["transformations.resize.gravity"])
        #expect(fields(#"{"resize":{"width":10,"height":20,"gravity":"up"}}"#) == ["transformations.resize.gravity"])
        #expect(fields(#"{"resize":{"width":10,"height":20,"gravity":1}}"#) == ["transformations.resize.gravity"])
        // By URL: g_<gravity>.
        #expect(try TransformationParsing.parse(urlOptions: "w_10,h_20,g_smart") == implied)
        #expect(implied.urlOptions == "w_10,h_20,fit_cover,g_smart")
    }
}

extension TestImages.Decoded {
    /// A region, for checks of part of a result.
    func cropped(_ x: Int, _ y: Int, _ width: Int, _ height: Int) throws -> TestImages.Decoded {
        let region = try image.apply("crop") { cvips_extract_area($0, &$1, Int32(x), Int32(y), Int32(width), Int32(height)) }
        return TestImages.Decoded(image: region, format: format)
    }
}
