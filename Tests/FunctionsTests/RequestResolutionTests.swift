import Foundation
@testable import Functions
import Imaging
import Storage
import Testing

/// What a spec leaves to the request, `fmt_auto` and `dpr`: how they parse and spell, and what they resolve to
/// for a client's `Accept` and a source's size before they name a variant.
@Suite struct RequestResolutionTests {
    static func url(_ options: String) throws -> TransformationSpec { try TransformationParsing.parse(urlOptions: options) }

    static func source(_ format: ImageFormat = .jpeg, width: Int = 3000, height: Int = 2000) -> ImageRecord {
        ImageRecord(
            id: UUID(), ownerID: UUID(), filename: "a", format: format.rawValue, contentType: format.contentType,
            width: width, height: height, sizeBytes: 1, objectKey: "k", contentHash: "h", status: .ready
        )
    }

    static func resolved(_ options: String, accept: String?, source: ImageRecord = source()) throws -> TransformationSpec {
        let format = try #require(ImageFormat(rawValue: source.format))
        return SourceSpec.resolved(try SourceSpec.of(urlOptions: options, for: source, sourceFormat: format), for: source, sourceFormat: format, accept: accept)
    }

    static let chrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
    static let safari15 = "image/webp,image/png,image/svg+xml,image/*;q=0.8,video/*;q=0.8,*/*;q=0.5"

    @Test func bothSpellingsParseAndRoundTripUnresolved() throws {
        let url = try Self.url("w_400,dpr_2,fmt_auto")
        #expect(url.autoFormat && url.devicePixelRatio == 2 && url.format == nil && !url.isResolved)
        #expect(url.urlOptions == "w_400,fmt_auto,dpr_2")
        #expect(try Self.url(url.urlOptions) == url)
        let json = try TransformationParsing.parse(body: #"{"transformations":{"resize":{"width":400},"format":"auto","dpr":2}}"#)
        #expect(json == url)
        // Unresolved, a spec never hashes like the variant it resolves to.
        #expect(url.hash != (try Self.url("w_800")).hash)
        #expect(try Self.url("w_400,dpr_1").isResolved)
    }

    @Test func badRatiosAreNamed() {
        for bad in ["w_400,dpr_5", "w_400,dpr_0.5", "w_400,dpr_x", "w_400,dpr"] {
            #expect(URLOptionsTests.fields(bad) == ["options.dpr"], "\(bad)")
        }
        #expect(throws: TransformationErrors.self) { try TransformationParsing.parse(body: #"{"transformations":{"format":"best"}}"#) }
    }

    @Test func acceptNamesFormatsExplicitlyOnly() {
        #expect(AcceptedImageFormats.of(Self.chrome) == [.avif, .webp])
        #expect(AcceptedImageFormats.of(Self.safari15) == [.webp, .png])
        #expect(AcceptedImageFormats.of("image/avif;q=0, image/webp;q=0.5") == [.webp])
        #expect(AcceptedImageFormats.of("*/*").isEmpty && AcceptedImageFormats.of("image/*").isEmpty && AcceptedImageFormats.of(nil).isEmpty)
    }

    @Test func autoPicksAVIFThenWebPThenTheSource() throws {
        #expect(try Self.resolved("w_400,fmt_auto", accept: Self.chrome).format == .avif)
        #expect(try Self.resolved("w_400,fmt_auto", accept: Self.safari15).format == .webp)
        #expect(try Self.resolved("w_400,fmt_auto", accept: "*/*").format == nil)
        // The variant is the one an explicit format names: at most three for one spec.
        #expect(try Self.resolved("w_400,fmt_auto", accept: Self.chrome).hash == (try Self.url("w_400,fmt_avif")).hash)
        #expect(try Self.resolved("w_400,fmt_auto", accept: "*/*").hash == (try Self.url("w_400")).hash)
        // A WebP source asked by a WebP-only client stays as it is: nothing else to do is an empty spec.
        #expect(try Self.resolved("fmt_auto", accept: Self.safari15, source: Self.source(.webp)).isEmpty)
        // An animation stays animated: WebP, not AVIF (libvips writes AVIF as one frame); a still of it may be AVIF.
        #expect(try Self.resolved("w_400,fmt_auto", accept: Self.chrome, source: Self.source(.gif)).format == .webp)
        #expect(try Self.resolved("w_400,fmt_auto,still", accept: Self.chrome, source: Self.source(.gif)).format == .avif)
        // A result over AVIF's pixel budget is WebP.
        let large = Self.source(width: 6000, height: 4000)
        #expect(try Self.resolved("fmt_auto", accept: Self.chrome, source: large).format == .webp)
        #expect(try Self.resolved("w_3000,fmt_auto", accept: Self.chrome, source: large).format == .avif)
    }

    @Test func ratiosMultiplySizesButNeverPastTheImage() throws {
        func width(_ options: String, _ source: ImageRecord = Self.source()) throws -> Int? {
            let spec = try Self.resolved(options, accept: nil, source: source)
            #expect(spec.isResolved)
            return spec.steps.compactMap { if case .resize(let r) = $0 { r.width } else { nil } }.first
        }
        #expect(try width("w_400,dpr_2") == 800)
        #expect(try width("w_400,dpr_1.5") == 600)
        #expect(try width("w_2000,dpr_2") == 3000)  // the source's width, not past it
        #expect(try width("w_4000,dpr_2") == 4000)  // asked to enlarge: as asked, unmultiplied
        #expect(try width("crop_0:0:500:500,w_400,dpr_2") == 500)  // the crop is the image the resize meets
        #expect(try width("crop_0:0:500:500|w_400|rot_90,dpr_2") == 500)
        // Both sides by one factor: the aspect ratio holds.
        let cover = try Self.resolved("w_400,h_300,fit_cover,dpr_3", accept: nil, source: Self.source(width: 1000, height: 1000))
        #expect(cover.steps.first == .resize(.init(width: 1000, height: 750, fit: .cover)))
        // The same variant as the sizes written out.
        #expect(try Self.resolved("w_400,dpr_2", accept: nil).hash == (try Self.url("w_800")).hash)
    }
}
