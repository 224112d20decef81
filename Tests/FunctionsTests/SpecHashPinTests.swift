import Foundation
import Imaging
import Testing
@testable import TestSupport

@testable import Functions

/// Variant keys must never move: the canonical JSON and hash of every spec below were recorded from the parser
/// as it was before the spec became ordered steps (a1df259), and stored variants are named by them. Each body
/// and URL parses to exactly that canonical JSON and hash, the canonical JSON decodes (as the worker reads a
/// stored spec) to the same spec, and URL options spell back to the recorded canonical options.
@Suite struct SpecHashPinTests {
    /// (request body's `transformations`, canonical JSON, hash)
    static let bodies: [(String, String, String)] = [
        (#"{"resize":{"width":800}}"#, #"{"resize":{"fit":"inside","width":800}}"#, "4f93c5e0b3e8f269797d748fdde171305c34e078e092f5bdc6b1a133c2d5bf7d"),
        (#"{"resize":{"width":800,"height":600}}"#, #"{"resize":{"fit":"fill","height":600,"width":800}}"#, "cd8264e6ee0111dd9b66c0f8de2e58a7f8446bf5db6fe08b525fd72a6b22f2a2"),
        (#"{"resize":{"width":800,"height":600,"fit":"cover"}}"#, #"{"resize":{"fit":"cover","height":600,"width":800}}"#, "175c17503857343d7a4efad2d67a25282b30faf53d7e0ff93c72ab29040dfa61"),
        (#"{"resize":{"width":800,"height":600,"fit":"contain"}}"#, #"{"resize":{"fit":"contain","height":600,"width":800}}"#, "f012a8cfd801824f475d58e219e7360f2edc6db022bf8efe4b929b6638af703a"),
        (#"{"resize":{"width":800,"height":600,"fit":"inside"}}"#, #"{"resize":{"fit":"inside","height":600,"width":800}}"#, "90e48bb83cfc774fa4bab887e054d0940d27a96a3bc82ad56b228ed9bf78a5d1"),
        (#"{"resize":{"width":400,"height":400,"gravity":"smart"}}"#, #"{"resize":{"fit":"cover","gravity":"smart","height":400,"width":400}}"#, "b5dd5945be8288ca2c3a50ce75938e2a40c120b93596fc503d65bdb4c6272de5"),
        (#"{"resize":{"width":400,"height":300,"fit":"cover","gravity":"north"}}"#, #"{"resize":{"fit":"cover","gravity":"north","height":300,"width":400}}"#, "8f095c3abceef77043cdb89dcec8b67076279fade77183480499b3e2afad9625"),
        (#"{"resize":{"height":240},"format":"webp","quality":80}"#, #"{"format":"webp","quality":80,"resize":{"fit":"inside","height":240}}"#, "b2c99031c847743839be49fd67b937812af6826f9e7850b25f40d5ba564aec7d"),
        (#"{"crop":{"x":10,"y":20,"width":300,"height":200}}"#, #"{"crop":{"height":200,"width":300,"x":10,"y":20}}"#, "01b96eeaacd74f4f8e297899b1f2a83a04167e7813ac04db9f30e6f75f758e89"),
        (#"{"crop":{"x":0,"y":0,"width":100,"height":100},"resize":{"width":50}}"#, #"{"crop":{"height":100,"width":100,"x":0,"y":0},"resize":{"fit":"inside","width":50}}"#, "cc45d65a6efe9ce878616b4314d3a7e0b8815d006140e998d41ef7fb44887507"),
        (#"{"rotate":90}"#, #"{"rotate":90}"#, "8e562d5bdeac6ef6b5ee3cf33c04a8a6ae408f9e462d0691605521201f339137"),
        (#"{"rotate":12.5}"#, #"{"rotate":12.5}"#, "7f356952456cd3bff802ea30776262a423e920b0a0363218e627373add119f41"),
        (#"{"rotate":-45.0004}"#, #"{"rotate":315}"#, "003e2f3a087e711a42ebf9d4f00f21856b866a2954aa386d92d8eab832236b4f"),
        (#"{"flip":true}"#, #"{"flip":true}"#, "842228b9f919e314e68fc1a3aed03aca5111f79e5c4bbe7c2cf2a7a35da31d56"),
        (#"{"mirror":true}"#, #"{"mirror":true}"#, "c0cd74cca329fb2acb7ef0068cee9bd8451613f11890604c88801eed4a049df2"),
        (#"{"flip":true,"mirror":true,"rotate":180}"#, #"{"flip":true,"mirror":true,"rotate":180}"#, "daf2fd3dd41fa9e7fcc02192632dabec364fa35a5ffc083f9d2acabd5082221d"),
        (#"{"filters":{"grayscale":true}}"#, #"{"filters":{"grayscale":true}}"#, "ca91c7873e602c6b354cc02ec5e54f38f36ad0c70d96c26630cc36743e875232"),
        (#"{"filters":{"sepia":true,"blur":2.5,"sharpen":true,"invert":true,"grayscale":true}}"#, #"{"filters":{"blur":2.5,"grayscale":true,"invert":true,"sepia":true,"sharpen":true}}"#, "4d20a8736e1a0e783a79501ddc1fc729800e2def64c8bc1bbb03242aa04a091a"),
        (#"{"filters":{"blur":0.3333}}"#, #"{"filters":{"blur":0.333}}"#, "d3468da204075ec55131cc546961e3d674a15727f97df9e3666bcbd01251c0f2"),
        (#"{"watermark":{"text":"© ImageFunctions / 2026, \"quoted\""}}"#, #"{"watermark":{"opacity":0.5,"position":"bottom-right","text":"© ImageFunctions \/ 2026, \"quoted\""}}"#, "d64f4f8653a06bacfdcd68413432e6eba84874b20609d98047becfb8a0a60fca"),
        (#"{"watermark":{"text":"hi","position":"top-left","opacity":0.25}}"#, #"{"watermark":{"opacity":0.25,"position":"top-left","text":"hi"}}"#, "85c9d4912fa47c7a70818aa900e7cbc7165793387ac23e4b3237df9b271104e6"),
        (#"{"watermark":{"text":"naïve ünïcödé 日本","position":"center","opacity":1}}"#, #"{"watermark":{"opacity":1,"position":"center","text":"naïve ünïcödé 日本"}}"#, "66ccc33e89dcd1268ac6b0ecf55bfe88a598ba74ad389b4eeac6b235e7467ac8"),
        (#"{"format":"png"}"#, #"{"format":"png"}"#, "acc001747cd7e7180f983daf6e1c076c7cdcef9ddfe2fd22f82cb53dd5ffbf41"),
        (#"{"format":"jpg","quality":75}"#, #"{"format":"jpeg","quality":75}"#, "70386850302c888fc4a7b90e46fcd64da0199521cbc267c5d21366c78220f630"),
        (#"{"format":"avif","compress":true}"#, #"{"compress":true,"format":"avif"}"#, "dcac091a086ffa02ec8ebb81bc206296f49f96f38c3ad2868beafeae9c914cfa"),
        (#"{"format":"gif","animated":false}"#, #"{"animated":false,"format":"gif"}"#, "1a844daa038a5ace037ad086b08bfc2fb24cdd1870ce6d20af77c4f66a9d3d0e"),
        (#"{"animated":false}"#, #"{"animated":false}"#, "55c4b2e92ce96ca72a131f3739566391c1f9515cb54a72d8863d82eb310432a5"),
        (#"{"quality":1}"#, #"{"quality":1}"#, "c653960e9e0b0b567b3de2f2a4f14e00b07b9947dbc819b096d1ef961b6eb474"),
        (#"{"resize":{"width":1024},"watermark":{"text":"x"},"filters":{"grayscale":true},"rotate":270,"flip":true,"mirror":true,"crop":{"x":1,"y":2,"width":3,"height":4},"format":"tiff","quality":100,"compress":true,"animated":false}"#, #"{"animated":false,"compress":true,"crop":{"height":4,"width":3,"x":1,"y":2},"filters":{"grayscale":true},"flip":true,"format":"tiff","mirror":true,"quality":100,"resize":{"fit":"inside","width":1024},"rotate":270,"watermark":{"opacity":0.5,"position":"bottom-right","text":"x"}}"#, "a3a0f68f88218275203320ec6c2044207e2d09930a9f16041567e3364e75eff1"),
        (#"{"pipeline":[{"resize":{"width":400}},{"crop":{"x":0,"y":0,"width":100,"height":100}}]}"#, #"{"pipeline":[{"resize":{"fit":"inside","width":400}},{"crop":{"height":100,"width":100,"x":0,"y":0}}]}"#, "b37f9d088df6d1a8c0f941053520458e2b104f5cf7274712844299a6f6e43c49"),
        (#"{"pipeline":[{"crop":{"x":0,"y":0,"width":100,"height":100}},{"resize":{"width":400}}]}"#, #"{"crop":{"height":100,"width":100,"x":0,"y":0},"resize":{"fit":"inside","width":400}}"#, "7b696cc9d4e529362f17a77e629a7a0f0110c2318e8bd6bbf9b23c7663a8f523"),
        (#"{"pipeline":[{"rotate":90},{"rotate":90}]}"#, #"{"pipeline":[{"rotate":90},{"rotate":90}]}"#, "b2d2e021fbd7bcdbeb892bbba7f3fca5f6dff929bdccc34e6fc578761a33b1f6"),
        (#"{"pipeline":[{"watermark":{"text":"w"}},{"filters":{"blur":1}}],"format":"webp"}"#, #"{"format":"webp","pipeline":[{"watermark":{"opacity":0.5,"position":"bottom-right","text":"w"}},{"filters":{"blur":1}}]}"#, "735eb72da810822aaf3dbd1887f6c2fdf6751dd1d2a9c7a5bf1e26ea7e76575e"),
        (#"{"pipeline":[{"flip":true},{"mirror":true},{"flip":true}],"quality":50,"animated":false}"#, #"{"animated":false,"pipeline":[{"flip":true},{"mirror":true},{"flip":true}],"quality":50}"#, "b1e4501106f36642c9dabac3f5e8ec9d310e58ab2a2726d828292ad2c1c9482d"),
        (#"{"pipeline":[{"resize":{"width":300,"height":200,"fit":"cover","gravity":"entropy"}},{"rotate":45.5},{"filters":{"sepia":true}},{"resize":{"width":100}}]}"#, #"{"pipeline":[{"resize":{"fit":"cover","gravity":"entropy","height":200,"width":300}},{"rotate":45.5},{"filters":{"sepia":true}},{"resize":{"fit":"inside","width":100}}]}"#, "7166cc193cb4171a6a4de8329e2ed7f20bbc640981fbd08f3e83c2e02a7f32fb"),
        (#"{"pipeline":[{"flip":false},{"rotate":360},{"mirror":true}]}"#, #"{"mirror":true}"#, "c0cd74cca329fb2acb7ef0068cee9bd8451613f11890604c88801eed4a049df2"),
    ]

    /// (URL options, canonical JSON, hash, canonical URL options)
    static let urls: [(String, String, String, String)] = [
        (#"w_800"#, #"{"resize":{"fit":"inside","width":800}}"#, "4f93c5e0b3e8f269797d748fdde171305c34e078e092f5bdc6b1a133c2d5bf7d", #"w_800"#),
        (#"w_800,h_600,fit_cover,fmt_webp,q_80"#, #"{"format":"webp","quality":80,"resize":{"fit":"cover","height":600,"width":800}}"#, "e5deb094171fda644ba28bf820eecf0a56f23fb353dd06d89dd7b94cf6c35971", #"w_800,h_600,fit_cover,fmt_webp,q_80"#),
        (#"w_400,h_400,g_smart"#, #"{"resize":{"fit":"cover","gravity":"smart","height":400,"width":400}}"#, "b5dd5945be8288ca2c3a50ce75938e2a40c120b93596fc503d65bdb4c6272de5", #"w_400,h_400,fit_cover,g_smart"#),
        (#"crop_10:20:300:200,w_50"#, #"{"crop":{"height":200,"width":300,"x":10,"y":20},"resize":{"fit":"inside","width":50}}"#, "cc5397465cf3896002d6c2ebf6d60aee6a04cd120e61935a51d5377c586ba6d9", #"crop_10:20:300:200,w_50"#),
        (#"rot_90,flip,mirror,gray,sepia,blur_2,sharpen,invert"#, #"{"filters":{"blur":2,"grayscale":true,"invert":true,"sepia":true,"sharpen":true},"flip":true,"mirror":true,"rotate":90}"#, "322c24e2cf5fc1ce7c2012041856a49906d56b9dc4fe4983593cc8518cbde63e", #"rot_90,flip,mirror,gray,sepia,blur_2,sharpen,invert"#),
        (#"wm_Hello%2C%20world,wmpos_center,wmop_0.8"#, #"{"watermark":{"opacity":0.8,"position":"center","text":"Hello, world"}}"#, "40d6183c8875fe5465d445cc59f544132a8dd7856f9aad1fff3ed1071fb37538", #"wm_Hello%2C%20world,wmpos_center,wmop_0.8"#),
        (#"fmt_png,compress,still"#, #"{"animated":false,"compress":true,"format":"png"}"#, "6818e1dbd2e8dafb40c3ff1e1302aacc81944b6485702023d423eb0ae6daae9d", #"fmt_png,compress,still"#),
        (#"w_400|crop_0:0:100:100|rot_90,fmt_png"#, #"{"format":"png","pipeline":[{"resize":{"fit":"inside","width":400}},{"crop":{"height":100,"width":100,"x":0,"y":0}},{"rotate":90}]}"#, "c69fd57d2f40019452f1c30514b0938692c8ae70e09b64e12ea1967720783495", #"w_400|crop_0:0:100:100|rot_90,fmt_png"#),
        (#"rot_90|rot_90"#, #"{"pipeline":[{"rotate":90},{"rotate":90}]}"#, "b2d2e021fbd7bcdbeb892bbba7f3fca5f6dff929bdccc34e6fc578761a33b1f6", #"rot_90|rot_90"#),
        (#"w_120|fmt_png"#, #"{"format":"png","resize":{"fit":"inside","width":120}}"#, "37c7390a3e44f961182af943180ee7d7105553dd074d17060422ce96ad4778c4", #"w_120,fmt_png"#),
    ]

    @Test(arguments: bodies) func bodiesKeepTheirHashes(_ body: String, _ canonical: String, _ hash: String) throws {
        let spec = try TransformationParsing.parse(body: #"{"transformations":\#(body)}"#)
        #expect(spec.canonicalJSON == canonical)
        #expect(spec.hash == hash)
        let stored = try JSONDecoder().decode(TransformationSpec.self, from: Data(canonical.utf8))
        #expect(stored == spec)
        #expect(stored.hash == hash)
    }

    @Test(arguments: urls) func urlOptionsKeepTheirHashes(_ options: String, _ canonical: String, _ hash: String, _ spelled: String) throws {
        let spec = try TransformationParsing.parse(urlOptions: options)
        #expect(spec.canonicalJSON == canonical)
        #expect(spec.hash == hash)
        #expect(spec.urlOptions == spelled)
        #expect(try TransformationParsing.parse(urlOptions: spelled) == spec)
        #expect(try JSONDecoder().decode(TransformationSpec.self, from: Data(canonical.utf8)) == spec)
    }
}

/// Decoding is how the worker reads a stored spec: it takes the canonical shape and the defaults it leaves
/// out, and refuses what no stored spec can be.
@Suite struct SpecDecodingTests {
    func decode(_ json: String) throws -> TransformationSpec {
        try JSONDecoder().decode(TransformationSpec.self, from: Data(json.utf8))
    }

    @Test func defaultsLeftOutAreTheParsersDefaults() throws {
        #expect(try decode(#"{"resize":{"width":10}}"#) == TestImages.parse(#"{"resize":{"width":10}}"#))
        #expect(try decode(#"{"resize":{"width":10,"height":20,"gravity":"center"}}"#) == TestImages.parse(#"{"resize":{"width":10,"height":20,"fit":"cover"}}"#))
        #expect(try decode(#"{"watermark":{"text":"hi"},"flip":false}"#) == TestImages.parse(#"{"watermark":{"text":"hi"}}"#))
    }

    @Test func whatNoStoredSpecIsIsRefused() {
        for json in [
            #"{"zoom":2}"#, #"{"pipeline":[{"flip":true}],"mirror":true}"#, #"{"pipeline":[{"flip":true,"mirror":true}]}"#,
            #"{"pipeline":[{}]}"#, #"{"resize":{}}"#, #"{"flip":1}"#, #"{"format":"bmp"}"#, #"{"resize":{"width":1,"gravity":"up"}}"#,
        ] {
            #expect(throws: DecodingError.self, "\(json)") { try decode(json) }
        }
    }

    @Test func stepsInAnyOtherOrderArePipelines() throws {
        let spec = TransformationSpec(steps: [.rotate(90), .crop(.init(x: 0, y: 0, width: 4, height: 4)), .rotate(90)], format: .png)
        #expect(!spec.isFixedOrder)
        #expect(spec.canonicalJSON == #"{"format":"png","pipeline":[{"rotate":90},{"crop":{"height":4,"width":4,"x":0,"y":0}},{"rotate":90}]}"#)
        #expect(try decode(spec.canonicalJSON) == spec)
        let fixed = TransformationSpec(steps: [.crop(.init(x: 0, y: 0, width: 4, height: 4)), .rotate(90), .mirror])
        #expect(fixed.isFixedOrder)
        #expect(fixed.canonicalJSON == #"{"crop":{"height":4,"width":4,"x":0,"y":0},"mirror":true,"rotate":90}"#)
    }
}
