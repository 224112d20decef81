import Foundation
@testable import Imaging
import Testing
@testable import TestSupport

/// Every operation through the API, checked on the decoded pixels of the served variant, as ImagingTests check
/// them in process: a four-colour quadrant PNG (red, green / blue, yellow) is uploaded, each transformation is
/// requested with `Prefer: wait`, and the bytes the API serves are decoded with libvips. Each result must also
/// be byte-identical to the in-process pipeline's output for the same source and spec, so the queue, storage
/// and runtime add nothing and lose nothing.
@Suite struct TransformPixelsEndToEndTests {
    typealias T = TestImages
    typealias I = ImagesEndToEndTests

    /// A check of one decoded result.
    struct Case: Sendable {
        let spec: String
        let contentType: String
        let check: @Sendable (T.Decoded) -> Void
    }

    static func quadrants(_ d: T.Decoded, _ tl: T.RGB, _ tr: T.RGB, _ bl: T.RGB, _ br: T.RGB, _ spec: String) {
        let (qx, qy) = (d.width / 4, d.height / 4)
        #expect(d.isColour(qx, qy, tl), "\(spec): top-left is \(d.pixel(qx, qy))")
        #expect(d.isColour(d.width - 1 - qx, qy, tr), "\(spec): top-right is \(d.pixel(d.width - 1 - qx, qy))")
        #expect(d.isColour(qx, d.height - 1 - qy, bl), "\(spec): bottom-left is \(d.pixel(qx, d.height - 1 - qy))")
        #expect(d.isColour(d.width - 1 - qx, d.height - 1 - qy, br), "\(spec): bottom-right is \(d.pixel(d.width - 1 - qx, d.height - 1 - qy))")
    }

    static let cases: [Case] = [
        Case(spec: #"{"resize":{"width":32}}"#, contentType: "image/png") { d in
            #expect(d.width == 32 && d.height == 24)
            quadrants(d, T.red, T.green, T.blue, T.yellow, "resize")
        },
        Case(spec: #"{"crop":{"x":32,"y":0,"width":32,"height":24}}"#, contentType: "image/png") { d in
            #expect(d.width == 32 && d.height == 24)
            quadrants(d, T.green, T.green, T.green, T.green, "crop")
        },
        Case(spec: #"{"rotate":90}"#, contentType: "image/png") { d in
            #expect(d.width == 48 && d.height == 64)
            quadrants(d, T.blue, T.red, T.yellow, T.green, "rotate 90")
        },
        Case(spec: #"{"rotate":180}"#, contentType: "image/png") { d in
            quadrants(d, T.yellow, T.blue, T.green, T.red, "rotate 180")
        },
        Case(spec: #"{"flip":true}"#, contentType: "image/png") { d in
            quadrants(d, T.blue, T.yellow, T.red, T.green, "flip")
        },
        Case(spec: #"{"mirror":true}"#, contentType: "image/png") { d in
            quadrants(d, T.green, T.red, T.yellow, T.blue, "mirror")
        },
        Case(spec: #"{"format":"webp","quality":95}"#, contentType: "image/webp") { d in
            #expect(d.format == .webp && d.width == 64 && d.height == 48)
            quadrants(d, T.red, T.green, T.blue, T.yellow, "webp")
        },
        Case(spec: #"{"format":"jpeg","quality":90}"#, contentType: "image/jpeg") { d in
            #expect(d.format == .jpeg)
            quadrants(d, T.red, T.green, T.blue, T.yellow, "jpeg")
        },
        Case(spec: #"{"filters":{"grayscale":true},"format":"jpeg"}"#, contentType: "image/jpeg") { d in
            for (x, y) in [(8, 8), (56, 8), (8, 40), (56, 40)] {
                let p = d.pixel(x, y)
                #expect(abs(p[0] - p[1]) <= 2 && abs(p[1] - p[2]) <= 2, "grayscale: \(p)")
            }
            #expect(d.pixel(56, 8)[0] > d.pixel(8, 40)[0])  // green is lighter than blue
        },
        Case(spec: #"{"filters":{"sepia":true}}"#, contentType: "image/png") { d in
            for (x, y) in [(8, 8), (56, 8), (8, 40), (56, 40)] {
                let p = d.pixel(x, y)
                #expect(p[0] >= p[1] && p[1] >= p[2], "sepia: \(p)")  // warm: red over green over blue
            }
        },
        Case(spec: #"{"filters":{"blur":3}}"#, contentType: "image/png") { d in
            let edge = d.pixel(31, 6)
            #expect(edge[0] > 40 && edge[0] < 230 && edge[1] > 30, "blur: the red/green edge is a mix, not \(edge)")
        },
        Case(spec: #"{"filters":{"sharpen":true}}"#, contentType: "image/png") { d in
            #expect(d.width == 64 && d.height == 48)
            quadrants(d, T.red, T.green, T.blue, T.yellow, "sharpen")
        },
        Case(spec: #"{"resize":{"width":400,"height":300},"watermark":{"text":"IF","opacity":1}}"#, contentType: "image/png") { d in
            #expect(d.width == 400 && d.height == 300)
            // The mark sits in the bottom-right corner (yellow there); the top-left stays red.
            let marked = stride(from: 200, to: 400, by: 2).flatMap { x in stride(from: 225, to: 300, by: 2).map { (x, $0) } }
                .filter { !d.isColour($0.0, $0.1, T.yellow, tolerance: 12) }.count
            #expect(marked > 10, "watermark: \(marked) changed pixels in its corner")
            #expect(d.isColour(20, 20, T.red, tolerance: 12))
        },
    ]

    @Test func everyOperationGivesTheRightPixelsThroughTheQueue() async throws {
        try await TransformEndToEndTests().withService { h in
            let alice = try await I.signUp(h, "alice")
            let original = try T.encode(T.quadrantPixels(), width: 64, height: 48, as: .png)
            let uploaded = try await alice.upload(Data(original), filename: "quadrants.png", type: "image/png")
            #expect(uploaded.status == 201)
            let id = try #require(try uploaded.json()["id"] as? String)
            let stored = [UInt8](try await h.request(.GET, "/images/\(id)", headers: alice.auth).body)

            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in Self.cases {
                    group.addTask {
                        let reply = try await TransformEndToEndTests().transform(alice, id, c.spec, wait: 25)
                        #expect(reply.status == 201, "\(c.spec): \(reply.status) \(reply.text)")
                        let variantID = try #require(try reply.json()["id"] as? String)
                        let served = try await h.request(.GET, "/images/\(variantID)", headers: alice.auth)
                        #expect(served.status == 200)
                        #expect(served.header("content-type") == c.contentType, "\(c.spec)")
                        let bytes = [UInt8](served.body)
                        c.check(try T.decode(bytes))
                        let inProcess = try T.transform(stored, c.spec).0
                        #expect(bytes == inProcess.bytes, "\(c.spec): the API's bytes differ from the in-process pipeline's")
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
