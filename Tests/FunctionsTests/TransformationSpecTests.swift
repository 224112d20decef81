import Foundation
import Imaging
@testable import Functions
import Testing
@testable import TestSupport

@Suite struct TransformationSpecTests {
    func parse(_ json: String) throws -> TransformationSpec { try TestImages.parse(json) }

    func errors(_ body: String) -> [Problem.FieldError] {
        do {
            _ = try TransformationParsing.parse(body: body)
            return []
        } catch let error as TransformationErrors {
            return error.errors
        } catch {
            return [.init(field: "json", message: "\(error)")]
        }
    }

    @Test func keyOrderDoesNotMatter() throws {
        let a = try parse(#"{"resize":{"width":800,"height":600},"rotate":90,"filters":{"grayscale":true,"blur":2}}"#)
        let b = try parse(#"{"filters":{"blur":2.0,"grayscale":true},"rotate":90.0,"resize":{"height":600,"width":800}}"#)
        #expect(a == b)
        #expect(a.hash == b.hash)
        #expect(a.canonicalJSON == b.canonicalJSON)
    }

    @Test(arguments: ["90", "90.0", "450", "-270", "810", "90.0000001"])
    func anglesAreTakenModulo360(_ angle: String) throws {
        #expect(try parse(#"{"rotate":\#(angle)}"#).hash == parse(#"{"rotate":90}"#).hash)
    }

    @Test func defaultsWrittenOrLeftOutAreTheSame() throws {
        #expect(try parse(#"{"resize":{"width":10,"height":20}}"#) == parse(#"{"resize":{"width":10,"height":20,"fit":"fill"}}"#))
        #expect(try parse(#"{"resize":{"width":10}}"#) == parse(#"{"resize":{"width":10,"fit":"cover"}}"#))
        #expect(try parse(#"{"watermark":{"text":"hi"}}"#) == parse(#"{"watermark":{"text":"hi","position":"bottom-right","opacity":0.5}}"#))
        #expect(try parse(#"{"flip":true,"mirror":false,"filters":{"sepia":false}}"#) == parse(#"{"flip":true}"#))
        #expect(try parse(#"{"flip":true,"rotate":360}"#) == parse(#"{"flip":true}"#))
        #expect(try parse(#"{"flip":true,"filters":{"blur":0}}"#) == parse(#"{"flip":true}"#))
        #expect(try parse(#"{"format":"jpg"}"#) == parse(#"{"format":"jpeg"}"#))
    }

    @Test func differentMeaningsHashDifferently() throws {
        let specs = [
            #"{"rotate":90}"#, #"{"rotate":270}"#, #"{"flip":true}"#, #"{"mirror":true}"#,
            #"{"resize":{"width":10,"height":20}}"#, #"{"resize":{"width":10,"height":20,"fit":"cover"}}"#,
            #"{"resize":{"width":20,"height":10}}"#, #"{"format":"png"}"#, #"{"format":"png","compress":true}"#,
            #"{"quality":80}"#, #"{"quality":81}"#, #"{"filters":{"blur":1.5}}"#, #"{"filters":{"blur":1.6}}"#,
            #"{"watermark":{"text":"a"}}"#, #"{"watermark":{"text":"a","position":"center"}}"#,
            #"{"crop":{"x":0,"y":0,"width":5,"height":5}}"#, #"{"crop":{"x":1,"y":0,"width":5,"height":5}}"#,
        ]
        let hashes = try specs.map { try parse($0).hash }
        #expect(Set(hashes).count == specs.count)
        #expect(hashes.allSatisfy { $0.count == 64 })
    }

    @Test func canonicalJSONWritesDefaultsAndDropsNoOps() throws {
        let spec = try parse(#"{"mirror":false,"resize":{"height":600,"width":800},"rotate":-90,"watermark":{"text":"©"}}"#)
        #expect(spec.canonicalJSON == #"{"resize":{"fit":"fill","height":600,"width":800},"rotate":270,"watermark":{"opacity":0.5,"position":"bottom-right","text":"©"}}"#)
    }

    @Test func sameFormatAsTheSourceIsNoChange() throws {
        let spec = try parse(#"{"format":"jpeg","flip":true}"#)
        #expect(spec.normalized(sourceFormat: .jpeg) == (try parse(#"{"flip":true}"#)))
        #expect(spec.normalized(sourceFormat: .png).format == .jpeg)
    }

    @Test func everyBadFieldIsNamed() {
        let found = errors(#"{"transformations":{"resize":{"width":0,"height":9000,"fit":"stretch"},"rotate":"90","flip":1,"filters":{"blur":200,"glow":true},"quality":101,"format":"bmp","watermark":{"text":"","opacity":2},"zoom":2},"extra":1}"#)
        let fields = Set(found.map(\.field))
        #expect(fields == [
            "extra", "transformations.resize.width", "transformations.resize.height", "transformations.resize.fit",
            "transformations.rotate", "transformations.flip", "transformations.filters.blur", "transformations.filters.glow",
            "transformations.quality", "transformations.format", "transformations.watermark.text",
            "transformations.watermark.opacity", "transformations.zoom",
        ])
    }

    @Test func emptyOrMissingTransformationsAreRefused() {
        #expect(errors(#"{"transformations":{}}"#).map(\.field) == ["transformations"])
        #expect(errors(#"{"transformations":{"flip":false,"rotate":0}}"#).map(\.field) == ["transformations"])
        #expect(errors(#"{}"#).map(\.field) == ["transformations"])
        #expect(errors(#"{"transformations":[]}"#).map(\.field) == ["transformations"])
        #expect(errors(#"[1]"#).map(\.field) == [""])
    }

    @Test func cropNeedsAllFourAndWholeNumbers() {
        let fields = errors(#"{"transformations":{"crop":{"x":-1,"y":1.5,"width":10}}}"#).map(\.field)
        #expect(Set(fields) == ["transformations.crop.x", "transformations.crop.y", "transformations.crop.height"])
    }

    @Test func cropIsCheckedAgainstTheUprightImage() throws {
        let spec = try parse(#"{"crop":{"x":0,"y":0,"width":48,"height":64}}"#)
        try spec.validate(forImageOf: (48, 64))
        #expect(throws: SpecValidationError.self) { try spec.validate(forImageOf: (64, 48)) }
        let both = try parse(#"{"crop":{"x":10,"y":10,"width":48,"height":64}}"#)
        do {
            try both.validate(forImageOf: (48, 64))
            Issue.record("expected an error")
        } catch {
            #expect(error.errors.map(\.path) == [.field(["crop", "width"]), .field(["crop", "height"])])
            #expect(TransformationErrors(error, in: .json).errors.map(\.field) == ["transformations.crop.width", "transformations.crop.height"])
            #expect(TransformationErrors(error, in: .url).errors.map(\.field) == ["options.crop", "options.crop"])
        }
    }
}
