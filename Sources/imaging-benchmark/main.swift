import Foundation
import Imaging

// imaging-benchmark: our pipeline against pyvips (same libvips, in-process) and Pillow (draft + LANCZOS), in
// the same run, interleaved, on the photos of ../shared/testdata. Not a test: it prints medians and ratios.
//
//   pip install pyvips pillow
//   swift run -c release imaging-benchmark [rounds]
//
// `imaging-benchmark --rss FILE SPEC` runs one transform and prints its peak RSS (used for the memory figures).
// `imaging-benchmark --encoders [rounds]` prints only resize 800 encoded as JPEG, WebP and AVIF (fmt_auto's choice).
// `imaging-benchmark --masters [rounds]` prints only the table of stored originals before and after fast masters:
// the time to store each photo, its size, and resize 800 + q80 from what is stored.
// `imaging-benchmark --time FILE SPEC N` prints the median milliseconds of N in-process transforms (read,
// decode, operations, encode), after one unmeasured: the baseline `infra/bench/compare` divides by.


let arguments = CommandLine.arguments
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let testdata = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/testdata")
let photos = [
    "Dune.jpg", "derived/Dragonfly_by_Bolly_baseline.jpg", "Kleiber_by_Lukas_Baubkus.jpg", "life_by_Aitzol_Berasategi.jpg",
    "Dragonfly_by_Bolly.jpg", "Gulp.png",
]

/// Unbuffered, so the table so far survives whatever happens later.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// A spec in its canonical JSON shape (defaults may be left out), as the worker reads a stored one.
func transformationSpec(_ json: String) throws -> TransformationSpec {
    try JSONDecoder().decode(TransformationSpec.self, from: Data(json.utf8))
}

// Originals as stored at upload, before and after fast masters, and what each costs every later variant.
// Before: re-encoded (Q92) when the upload had metadata or an orientation, else kept as uploaded. After: the
// lossless JPEG master where it applies (`ImageProcessor.master`).
func formerOriginal(_ bytes: [UInt8]) throws -> [UInt8] {
    let source = try ImageSource(bytes: bytes)
    if source.needsNormalizing { return try ImageProcessor.normalizeOriginal(source).bytes }
    try source.verifyDecodes()
    return bytes
}
func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}
func printMasters(rounds: Int) {
  do {
    try masters(rounds: rounds)
  } catch {
    say("masters: \(error)")
  }
}

func masters(rounds: Int) throws {
say("\nstoring an upload (median ms of \(rounds)) and resize 800 + q80 from what is stored, before and after fast masters")
say("photo".padding(toLength: 40, withPad: " ", startingAt: 0)
    + "  store before  store after     MB before  MB after   resize before  resize after  resize ratio")
let resize800 = try transformationSpec(#"{"resize":{"width":800},"quality":80}"#)
for photo in photos where !photo.hasSuffix(".png") {
    let bytes = try [UInt8](Data(contentsOf: testdata.appendingPathComponent(photo)))
    let before = try formerOriginal(bytes)
    let after = try ImageProcessor.master(of: bytes, source: try ImageSource(bytes: bytes)).bytes
    var storeBefore: [Double] = [], storeAfter: [Double] = [], resizeBefore: [Double] = [], resizeAfter: [Double] = []
    for _ in 0..<rounds {
        storeBefore.append(try milliseconds { _ = try formerOriginal(bytes) })
        storeAfter.append(try milliseconds { _ = try ImageProcessor.master(of: bytes, source: try ImageSource(bytes: bytes)) })
        resizeBefore.append(try milliseconds { _ = try ImageProcessor.process(try ImageSource(bytes: before), spec: resize800) })
        resizeAfter.append(try milliseconds { _ = try ImageProcessor.process(try ImageSource(bytes: after), spec: resize800) })
    }
    let (rb, ra) = (median(resizeBefore), median(resizeAfter))
    say(photo.padding(toLength: 40, withPad: " ", startingAt: 0)
        + String(format: "  %12.1f  %11.1f  %12.2f  %8.2f  %14.1f  %12.1f  %11.2fx", median(storeBefore), median(storeAfter),
                 Double(before.count) / 1e6, Double(after.count) / 1e6, rb, ra, rb / ra))
}
}

if arguments.count >= 4, arguments[1] == "--rss" {
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: arguments[2])))
    _ = try ImageProcessor.process(try ImageSource(bytes: bytes), spec: try transformationSpec(arguments[3]))
    // VmHWM, not getrusage: ru_maxrss survives exec and would report the parent's size at fork.
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    say(line.split(separator: " ").dropFirst().first.map(String.init) ?? "-1")  // KiB
    exit(0)
}

if arguments.count >= 5, arguments[1] == "--time", let n = Int(arguments[4]), n > 0 {
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: arguments[2])))
    let spec = try transformationSpec(arguments[3])
    _ = try ImageProcessor.process(try ImageSource(bytes: bytes), spec: spec)
    var times: [Double] = []
    for _ in 0..<n {
        let start = ContinuousClock.now
        _ = try ImageProcessor.process(try ImageSource(bytes: bytes), spec: spec)
        let d = ContinuousClock.now - start
        times.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
    }
    say(String(format: "%.3f", times.sorted()[times.count / 2]))
    exit(0)
}

if arguments.count >= 3, arguments[1] == "--leak-check" {
    // Alone in its process, libvips's allocation counters show exactly what a job leaves behind.
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: arguments[2])))
    let spec = try transformationSpec(#"{"rotate":30,"filters":{"blur":2,"sepia":true},"watermark":{"text":"x"},"format":"webp"}"#)
    _ = try ImageProcessor.process(try ImageSource(bytes: bytes), spec: spec)
    let before = (Vips.trackedAllocations, Vips.trackedMemory)
    for _ in 0..<40 { _ = try ImageProcessor.process(try ImageSource(bytes: bytes), spec: spec) }
    say("\(before.0) \(before.1) \(Vips.trackedAllocations) \(Vips.trackedMemory)")
    exit(0)
}

// What `fmt_auto` trades: resize 800 of each photo encoded as JPEG (q80), WebP and AVIF (their defaults), the
// median ms and bytes of each.
func printEncoders(rounds: Int) throws {
    say("\nresize 800 and encode (median ms of \(rounds), KB): what fmt_auto picks between")
    say("photo".padding(toLength: 40, withPad: " ", startingAt: 0) + "      JPEG q80          WebP          AVIF")
    for photo in photos {
        let bytes = try [UInt8](Data(contentsOf: testdata.appendingPathComponent(photo)))
        var row = photo.padding(toLength: 40, withPad: " ", startingAt: 0)
        for format in ["jpeg", "webp", "avif"] {
            let spec = try transformationSpec(#"{"resize":{"width":800},"format":"\#(format)"\#(format == "jpeg" ? #","quality":80"# : "")}"#)
            var size = 0
            let times = try (0..<rounds).map { _ in
                try milliseconds { size = try ImageProcessor.process(try ImageSource(bytes: bytes), spec: spec).bytes.count }
            }
            row += String(format: "  %6.1f %5d", median(times), size / 1024)
        }
        say(row)
    }
}

if arguments.count >= 2, arguments[1] == "--encoders" {
    try printEncoders(rounds: arguments.dropFirst(2).first.flatMap(Int.init) ?? 5)
    exit(0)
}
if arguments.count >= 2, arguments[1] == "--masters" {
    printMasters(rounds: arguments.dropFirst(2).first.flatMap(Int.init) ?? 7)
    exit(0)
}

let rounds = arguments.dropFirst().first.flatMap(Int.init) ?? 7
let baselineJPEGs: Set = ["Dune.jpg", "derived/Dragonfly_by_Bolly_baseline.jpg", "Kleiber_by_Lukas_Baubkus.jpg"]

/// The Python reference worker, kept running so its start-up is never timed.
final class Reference {
    let process = Process()
    let input = Pipe(), output = Pipe()
    var reader: FileHandle { output.fileHandleForReading }

    init(script: URL) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    func call(_ command: [String: String]) throws -> [String: Any] {
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: command) + Data("\n".utf8))
        var line = Data()
        while true {
            let byte = reader.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line += byte
        }
        guard let answer = try JSONSerialization.jsonObject(with: line) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return answer
    }
}

let reference = try Reference(script: here.appendingPathComponent("reference_worker.py"))
let tasks: [(name: String, python: String, spec: (Bool) -> String)] = [
    ("resize 800 -> same format", "resize", { png in png ? #"{"resize":{"width":800}}"# : #"{"resize":{"width":800},"quality":80}"# }),
    ("resize 800, grey, rot90, WebP", "gray-rotate-webp", { _ in #"{"resize":{"width":800},"filters":{"grayscale":true},"rotate":90,"format":"webp","quality":80}"# }),
]


say("median ms per image over \(rounds) interleaved rounds (lower is better); ratio = other / ours")
say("photo".padding(toLength: 40, withPad: " ", startingAt: 0) + "task".padding(toLength: 32, withPad: " ", startingAt: 0)
    + "   ours  pyvips  Pillow  pyvips/ours  Pillow/ours")
var resizeOutputs: [String: EncodedImage] = [:]
for photo in photos {
    let path = testdata.appendingPathComponent(photo).path
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let isPNG = photo.hasSuffix(".png")
    for task in tasks {
        let spec = try transformationSpec(task.spec(isPNG))
        var ours: [Double] = [], pyvips: [Double] = [], pillow: [Double] = []
        // One warm-up each, then rounds in rotating order so neither side always runs first.
        _ = try ImageProcessor.process(try ImageSource(bytes: bytes), spec: spec)
        _ = try reference.call(["op": "run", "lib": "pyvips", "path": path, "task": task.python])
        _ = try reference.call(["op": "run", "lib": "pillow", "path": path, "task": task.python])
        for round in 0..<rounds {
            let order = [0, 1, 2].map { ($0 + round) % 3 }
            for side in order {
                switch side {
                case 0:
                    let start = ContinuousClock.now
                    let result = try ImageProcessor.process(try ImageSource(bytes: bytes), spec: spec)
                    let elapsed = ContinuousClock.now - start
                    ours.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                    if task.python == "resize" { resizeOutputs[photo] = result }
                case 1:
                    pyvips.append(try reference.call(["op": "run", "lib": "pyvips", "path": path, "task": task.python])["ms"] as? Double ?? .nan)
                default:
                    pillow.append(try reference.call(["op": "run", "lib": "pillow", "path": path, "task": task.python])["ms"] as? Double ?? .nan)
                }
            }
        }
        let (o, v, p) = (median(ours), median(pyvips), median(pillow))
        say(photo.padding(toLength: 40, withPad: " ", startingAt: 0) + task.name.padding(toLength: 32, withPad: " ", startingAt: 0)
            + String(format: " %6.1f  %6.1f  %6.1f  %10.2fx  %10.2fx", o, v, p, v / o, p / o))
    }
}

printMasters(rounds: rounds)
try printEncoders(rounds: rounds)

// How close our shrink-on-load result is to pyvips's thumbnail: mean absolute difference per channel (0-255).
say("\nresize 800: mean absolute pixel difference, ours vs pyvips thumbnail (0-255 scale)")
for photo in photos where !photo.hasSuffix(".png") {
    let path = testdata.appendingPathComponent(photo).path
    let saved = FileManager.default.temporaryDirectory.appendingPathComponent("pyvips-\(UUID().uuidString).jpg")
    _ = try reference.call(["op": "run", "lib": "pyvips", "path": path, "task": "resize", "save": saved.path])
    let theirs = try [UInt8](Data(contentsOf: saved))
    try? FileManager.default.removeItem(at: saved)
    guard let ours = resizeOutputs[photo] else { continue }
    let difference = try ImageComparison.meanAbsoluteDifference(ours.bytes, theirs)
    say("  \(photo.padding(toLength: 40, withPad: " ", startingAt: 0)) \(String(format: "%.2f", difference))\(baselineJPEGs.contains(photo) ? "  (baseline JPEG)" : "")")
}

// Peak memory of one transform in a fresh process, as a worker would run it.
func peakRSS(_ file: String, _ spec: String) throws -> Int {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    process.arguments = ["--rss", file, spec]
    process.environment = ProcessInfo.processInfo.environment.merging(["MALLOC_ARENA_MAX": "2"]) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
}

say("\npeak RSS of one transform in a fresh process (MALLOC_ARENA_MAX=2)")
for (photo, note) in [("Kleiber_by_Lukas_Baubkus.jpg", "20 MP baseline JPEG"), ("Dragonfly_by_Bolly.jpg", "13 MP progressive JPEG")] {
    for task in tasks {
        let kib = try peakRSS(testdata.appendingPathComponent(photo).path, task.spec(false))
        say("  \(note.padding(toLength: 24, withPad: " ", startingAt: 0)) \(task.name.padding(toLength: 32, withPad: " ", startingAt: 0)) \(kib / 1024) MB")
    }
}

// The largest image the limits admit.
let large = FileManager.default.temporaryDirectory.appendingPathComponent("largest-admitted.jpg")
_ = try reference.call(["op": "make-large", "path": large.path])
let largeBytes = try [UInt8](Data(contentsOf: large))
var largeTimes: [Double] = []
for _ in 0..<3 {
    let start = ContinuousClock.now
    _ = try ImageProcessor.process(try ImageSource(bytes: largeBytes), spec: try transformationSpec(#"{"resize":{"width":800},"quality":80}"#))
    let elapsed = ContinuousClock.now - start
    largeTimes.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
}
let largeSource = try ImageSource(bytes: largeBytes)
say("\nlargest admitted image: \(largeSource.width)x\(largeSource.height) JPEG (\(largeBytes.count / 1_000_000) MB), resize 800: median \(String(format: "%.0f", median(largeTimes))) ms, peak RSS \(try peakRSS(large.path, #"{"resize":{"width":800},"quality":80}"#) / 1024) MB")
try? FileManager.default.removeItem(at: large)
