import Foundation
import FuzzTargets

// libFuzzer's entry points, built only by infra/fuzz (IF_FUZZ=1, -sanitize=fuzzer: libFuzzer brings `main`).
// One binary holds every target; IF_FUZZ_TARGET names the one this process runs, read once at start.

nonisolated(unsafe) private var target = FuzzTarget.urlOptions

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let name = ProcessInfo.processInfo.environment["IF_FUZZ_TARGET"] ?? ""
    guard let chosen = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("IF_FUZZ_TARGET must name a target: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    target = chosen
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = data.map { Data(bytes: $0, count: size) } ?? Data()
    let broken = target.run(input)
    // A broken invariant is a crash to libFuzzer: it keeps the input and stops.
    if !broken.isEmpty { fatalError("\(target.rawValue): " + broken.joined(separator: "; ")) }
    return 0
}

// SwiftPM links a debug executable with `main` renamed to `<target>_main` (`--defsym main=fuzz_main`), which
// hides libFuzzer's own `main`; this one starts libFuzzer's driver as that `main` would. (A release build
// links libFuzzer's `main` and never calls it.)
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

@_cdecl("fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments, fuzzerTestOneInput)
}
