import Foundation
import Functions
import FuzzTargets
import Testing

/// Every input kept under Tests/Fuzz/inputs/<target>: the seeds infra/fuzz starts from and each input a
/// fuzzer run found to crash, hang or break an invariant (kept once it is fixed). Each goes through the same
/// target the fuzzer runs, so what was found once stays fixed.
@Suite struct FuzzRegressionTests {
    static let inputs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fuzz/inputs").standardizedFileURL

    static func files(of target: FuzzTarget) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: inputs.appendingPathComponent(target.rawValue), includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everyKeptInputPasses(_ target: FuzzTarget) throws {
        let files = try Self.files(of: target)
        #expect(!files.isEmpty, "no seed for \(target.rawValue)")
        for file in files {
            let broken = target.run(try Data(contentsOf: file))
            #expect(broken.isEmpty, "\(target.rawValue)/\(file.lastPathComponent): \(broken)")
        }
    }

    /// The grammar seeds are accepted, so the fuzzer starts on the paths that build specs (and checks their
    /// round trips), not only on refusals.
    /// (The inputs a run found are kept beside them and may well be refusals.)
    @Test func grammarSeedsAreAccepted() throws {
        for name in ["resize", "pipeline", "filters", "watermark"] {
            let file = Self.inputs.appendingPathComponent("url-options/\(name)")
            _ = try TransformationParsing.parse(urlOptions: String(decoding: try Data(contentsOf: file), as: UTF8.self))
        }
        for name in ["resize", "pipeline", "filters"] {
            let file = Self.inputs.appendingPathComponent("json-transformation/\(name)")
            _ = try TransformationParsing.parse(body: String(decoding: try Data(contentsOf: file), as: UTF8.self))
        }
    }
}
