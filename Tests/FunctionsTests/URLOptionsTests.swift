import Foundation
import Imaging
@testable import Functions
import Testing
@testable import TestSupport

/// The URL spelling of transformations (`w_800,fmt_webp`): it parses into the same normalized spec as the JSON
/// body, every JSON field has an option, and every bad option is named.
@Suite struct URLOptionsTests {
    static func json(_ text: String) throws -> TransformationSpec { try TestImages.parse(text) }

    static func fields(_ options: String) -> [String] {
        do {
            _ = try TransformationParsing.parse(urlOptions: options)
            return []
        } catch {
            return error.errors.map(\.field)
        }
    }

    @Test func theIssuesExampleIsTheJSONSpec() throws {
        let url = try TransformationParsing.parse(urlOptions: "w_800,h_600,fit_cover,fmt_webp,q_80,rot_90,gray")
        let body = try Self.json(#"{"resize":{"width":800,"height":600,"fit":"cover"},"format":"webp","quality":80,"rotate":90,"filters":{"grayscale":true}}"#)
        #expect(url == body)
        #expect(url.hash == body.hash)
        // Order and case do not matter; the alias means the same.
        #expect(try TransformationParsing.parse(urlOptions: "GRAYSCALE,rot_450,q_80,FMT_WEBP,fit_cover,h_600,w_800") == body)
    }

    /// Each of these JSON specs, between them using every field, survives `urlOptions` and back unchanged.
    @Test(arguments: [
        #"{"resize":{"width":320}}"#,
        #"{"resize":{"height":200,"fit":"cover"}}"#,
        #"{"resize":{"width":300,"height":200}}"#,
        #"{"resize":{"width":300,"height":200,"fit":"contain"}}"#,
        #"{"resize":{"width":300,"height":200,"fit":"inside"}}"#,
        #"{"resize":{"width":300,"height":200,"gravity":"northeast"}}"#,
        #"{"crop":{"x":10,"y":0,"width":300,"height":200},"rotate":-30.5,"flip":true,"mirror":true}"#,
        #"{"filters":{"grayscale":true,"sepia":true,"blur":2.25,"sharpen":true,"invert":true}}"#,
        #"{"watermark":{"text":"© Ada, 2026 – 50%_off/#1?"}}"#,
        #"{"watermark":{"text":"x","position":"top-left","opacity":0.25}}"#,
        #"{"format":"jpeg","quality":80,"compress":true}"#,
        #"{"animated":false,"format":"webp"}"#,
        #"{"format":"avif"}"#,
        #"{"pipeline":[{"rotate":90},{"crop":{"x":0,"y":0,"width":10,"height":10}},{"filters":{"sepia":true}},{"filters":{"blur":2}}],"format":"png","quality":50}"#,
        #"{"pipeline":[{"watermark":{"text":"a, b"}},{"resize":{"width":30,"height":20,"gravity":"smart"}}]}"#,
    ])
    func everyFieldRoundTrips(_ text: String) throws {
        let spec = try Self.json(text)
        let options = spec.urlOptions
        #expect(!options.contains(" "))
        let back = try TransformationParsing.parse(urlOptions: options)
        #expect(back == spec, "\(text) → \(options)")
        #expect(back.canonicalJSON == spec.canonicalJSON)
    }

    @Test func everyJSONFieldHasAnOption() {
        let covered = Set(URLTransformationParser.options.map { $0.field.joined(separator: ".") })
        let jsonFields = [
            "resize.width", "resize.height", "resize.fit", "resize.gravity", "crop", "rotate", "flip", "mirror", "filters.grayscale", "filters.sepia",
            "filters.blur", "filters.sharpen", "filters.invert", "watermark.text", "watermark.position", "watermark.opacity", "format",
            "quality", "compress", "animated", "dpr",
        ]
        #expect(covered == Set(jsonFields))
    }

    @Test func percentEncodedValuesAreDecodedAfterTheSplit() throws {
        let spec = try TransformationParsing.parse(urlOptions: "wm_Hello%2C%20world,wmpos_center")
        #expect(spec.steps == [.watermark(.init(text: "Hello, world", position: .center))])
    }

    @Test func everyBadOptionIsNamed() {
        // Malformed options and out-of-range ones, all in one answer.
        #expect(Set(Self.fields("w_0,h_abc,foo,rot_1e3,flip_yes,q_101,fit_squash")) == ["options.w", "options.h", "options.foo", "options.rot", "options.flip", "options.q", "options.fit"])
        #expect(Self.fields("w_abc,fit_cover") == ["options.w"])  // not also "a fit needs a side"
        // The JSON parser's errors come back under the option's name.
        #expect(Set(Self.fields("w_0,q_101,fit_squash,blur_200,fmt_bmp,wmop_2,wm_x")) == ["options.w", "options.q", "options.fit", "options.blur", "options.fmt", "options.wmop"])
        #expect(Self.fields("crop_1:2:3") == ["options.crop"])
        #expect(Self.fields("crop_0:0:0:10") == ["options.crop"])
        #expect(Self.fields("w_10,w_20") == ["options.w"])
        #expect(Self.fields("w_10,,h_5") == ["options"])
        #expect(Self.fields("") == ["options"])
        #expect(Self.fields("fit_cover") == ["options.fit"])  // a fit needs a side
        #expect(Self.fields("wmpos_center") == ["options.wm"])  // a position needs a text
        #expect(Self.fields("w_") == ["options.w"])
        #expect(Self.fields("w_-5") == ["options.w"])
        #expect(Self.fields("rot_nan,blur_inf,w_0x10") == ["options.rot", "options.blur", "options.w"])
    }

    @Test func aCropOutsideTheImageIsNamedByItsOption() throws {
        do {
            _ = try TransformationParsing.parse(urlOptions: "crop_100:0:50:50", forImageOf: (120, 80))
            Issue.record("the crop should not fit")
        } catch {
            #expect(error.errors.map(\.field) == ["options.crop"])
        }
    }

    @Test func barsSeparateThePipelinesSteps() throws {
        let url = try TransformationParsing.parse(urlOptions: "w_400|crop_300:0:100:100|rot_90,fmt_png")
        let json = try Self.json(#"{"pipeline":[{"resize":{"width":400}},{"crop":{"x":300,"y":0,"width":100,"height":100}},{"rotate":90}],"format":"png"}"#)
        #expect(url == json && url.hash == json.hash)
        #expect(url.urlOptions == "w_400|crop_300:0:100:100|rot_90,fmt_png")
        // In the fixed order it is the fixed spec, as in JSON; %7C, as some clients send the bar, separates too.
        #expect(try TransformationParsing.parse(urlOptions: "w_400|flip") == (try TransformationParsing.parse(urlOptions: "w_400,flip")))
        #expect(try TransformationParsing.parse(urlOptions: "w_400%7Ccrop_300:0:100:100%7crot_90,fmt_png") == url)
    }

    @Test func aPipelinesBadStepsAreNamedByTheirPlace() throws {
        #expect(Self.fields("w_400,rot_90|crop_1:2:3:4") == ["options[0]"])
        #expect(Set(Self.fields("w_0|flip|zoom_2")) == ["options[0].w", "options[2].zoom"])
        #expect(Self.fields("w_400||flip") == ["options[1]"])
        #expect(Self.fields("fmt_png,w_10|fmt_jpeg,flip") == ["options[1].fmt"])
        // A crop outside the image the steps before it make (checked against the source at request time).
        do {
            _ = try TransformationParsing.parse(urlOptions: "w_32|crop_20:0:16:12", forImageOf: (64, 48))
            Issue.record("the crop should not fit the 32x24 image")
        } catch {
            #expect(error.errors.map(\.field) == ["options[1].crop"])
        }
    }
}
