import AsyncHTTPClient
import ChildProcess
import Foundation
import Imaging
import LocalRuntime
import Logging
import Messaging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PostgresNIO
import Storage

// fault-suite: the service through local-runtime on the dev services (.dev/env), while the broker, the
// database and workers are stopped or killed, and while hostile clients send what they can. It prints the
// figures issue 5 asks for. It stops and starts the dev services with infra/dev/services, so run it against
// dev services nobody else is using:
//
//   infra/dev/services up && swift build -c release --product image-functions && swift run -c release fault-suite
//
// `fault-suite broker worker database database-outage s3-outage s3-kill restart-all hostile login` runs some
// parts only.

func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
func median(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.sorted()[values.count / 2] }

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let testdata = root.deletingLastPathComponent().appendingPathComponent("shared/testdata")
let parts = Set(CommandLine.arguments.dropFirst())
func wanted(_ part: String) -> Bool { parts.isEmpty || parts.contains(part) }

/// The dev services' settings, as `infra/dev/services` wrote them.
enum Dev {
    static let environment: [String: String] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        var environment = EnvFile.load(path: ProcessInfo.processInfo.environment["IF_ENV_FILE"] ?? root.appendingPathComponent(".dev/env").path)
        environment.merge(ProcessInfo.processInfo.environment) { _, process in process }
        return environment
    }()
}
var environment = Dev.environment

/// Runs infra/dev/services with the dev directory and ports of the env file.
func services(_ arguments: String...) async {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("infra/dev/services").path
    _ = try? await ChildProcess.run(script, arguments, environment: Dev.environment, output: .discard)
}

// A database of this run's own, so counts are exact.
let databaseName = "faults_\(UUID().uuidString.prefix(8).lowercased())"
var databaseURL = URLComponents(string: environment["DATABASE_URL"] ?? "")!
let adminConfiguration = try DatabaseSettings(url: environment["DATABASE_URL"] ?? "").clientConfiguration
func sql(_ query: PostgresQuery, in database: String? = nil) async throws -> [PostgresRow] {
    var configuration = adminConfiguration
    if let database { configuration.database = database }
    let client = PostgresClient(configuration: configuration)
    return try await withThrowingTaskGroup(of: [PostgresRow].self) { group in
        group.addTask { await client.run(); return [] }
        defer { group.cancelAll() }
        var rows: [PostgresRow] = []
        for try await row in try await client.query(query) { rows.append(row) }
        return rows
    }
}
_ = try await sql(PostgresQuery(unsafeSQL: "CREATE DATABASE \(databaseName)"))
databaseURL.path = "/\(databaseName)"
func count(_ query: String) async throws -> Int {
    for row in try await sql(PostgresQuery(unsafeSQL: query), in: databaseName) { return try row.decode(Int.self) }
    return 0
}

environment["DATABASE_URL"] = databaseURL.string!
environment["LOG_LEVEL"] = "critical"
environment["RATE_LIMIT_TRANSFORMS"] = "off"
environment["RATE_LIMIT_UPLOADS"] = "off"
environment["SWEEP_OUTBOX_AFTER_SECONDS"] = "5"
let queue = "image-transforms-faults-\(UUID().uuidString.prefix(6).lowercased())"
environment["TRANSFORM_QUEUE"] = queue

var logger = Logger(label: "fault-suite")
logger.logLevel = .critical
let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    .appendingPathComponent("image-functions")
var configuration = LocalRuntimeConfiguration(binary: binary)
configuration.port = 0
configuration.workersPerFunction = 2
configuration.maxWaiting = 256
configuration.maxWait = .seconds(20)
configuration.workerEnvironment = environment
configuration.queueNames = ["image-transforms": queue]
configuration.scheduleOverride = .seconds(5)
configuration.amqp = try environment["AMQP_URL"].map { try AMQPSettings(url: $0) }
let runtime = try LocalRuntime(configuration: configuration, logger: logger)
let running = Task { try await runtime.run(handleSignals: false) }
let base = "http://127.0.0.1:\(await runtime.port())"

struct Reply: Sendable {
    var status: Int
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var body: Data
    var headers: [(String, String)]
}

@Sendable func call(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = []) async -> Reply {
    var request = HTTPClientRequest(url: base + path)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(data: body)) }
    do {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let data = Data(buffer: try await response.body.collect(upTo: 64 << 20))
        return Reply(status: Int(response.status.code), body: data, headers: response.headers.map { ($0.name, $0.value) })
    } catch {
        return Reply(status: 0, body: Data(), headers: [])  // no answer at all
    }
}

let jsonType = [("Content-Type", "application/json")]
func register(_ name: String) async throws -> [(String, String)] {
    let reply = await call(.POST, "/register", body: try JSONSerialization.data(withJSONObject: ["username": name, "password": "password of \(name)"]), headers: jsonType)
    guard let token = reply.json["token"] as? String else { throw ValidationFailure("register \(name): \(reply.status)") }
    return [("Authorization", "Bearer \(token)")]
}
struct ValidationFailure: Error { var message: String; init(_ m: String) { message = m } }

/// Status counts, printed as `202×980 503×20`.
struct Tally: Sendable {
    var counts: [Int: Int] = [:]
    mutating func add(_ status: Int) { counts[status, default: 0] += 1 }
    var serverErrors: Int { counts.filter { $0.key >= 500 && $0.key != 503 }.values.reduce(0, +) }
    var unanswered: Int { counts[0] ?? 0 }
    var description: String { counts.keys.sorted().map { "\($0 == 0 ? "none" : String($0))×\(counts[$0]!)" }.joined(separator: " ") }
}

let alice = try await register("alice")
let dune = try Data(contentsOf: testdata.appendingPathComponent("Dune.jpg"))
let source = await call(.POST, "/images", body: dune, headers: alice + [("Content-Type", "image/jpeg")])
let duneID = source.json["id"] as? String ?? ""
// A small source makes each job cheap, so a thousand of them fit in a short run.
let small = await call(.POST, "/images/\(duneID)/transform", body: Data(#"{"transformations":{"resize":{"width":96},"format":"png"}}"#.utf8), headers: alice + jsonType + [("Prefer", "wait=20")])
let smallID = small.json["id"] as? String ?? ""
say("fault-suite: local-runtime at \(base), database \(databaseName), queue \(queue); sources \(duneID) (Dune) and \(smallID) (96 px)")

/// Waits until no variant is queued or processing; returns the seconds it took, or nil past the timeout.
func drained(timeout: Duration = .seconds(180)) async throws -> Double? {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < timeout {
        if try await count("SELECT count(*)::int FROM images WHERE status IN ('queued', 'processing')") == 0 { return ms(ContinuousClock.now - start) / 1000 }
        try await Task.sleep(for: .milliseconds(250))
    }
    return nil
}

/// Sends `specs` as transform requests of `sourceID`, `concurrency` at a time; `during` runs when `trigger`
/// requests have been answered. Returns the tally and the ids answered 202 or 200.
func transformStorm(_ sourceID: String, _ specs: [String], concurrency: Int = 16, trigger: Int, during: @escaping @Sendable () async -> Double) async -> (Tally, [String], Double) {
    let lock = NSLock()
    var tally = Tally(), accepted: [String] = [], answered = 0
    var next = 0
    let fault = Task<Double, Never> {
        while lock.withLock({ answered }) < trigger {
            if lock.withLock({ next >= specs.count }) { return 0 }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await during()
    }
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<concurrency {
            group.addTask {
                while true {
                    let index: Int? = lock.withLock { next < specs.count ? { next += 1; return next - 1 }() : nil }
                    guard let index else { return }
                    let reply = await call(.POST, "/images/\(sourceID)/transform", body: Data(#"{"transformations":\#(specs[index])}"#.utf8), headers: alice + jsonType)
                    lock.withLock {
                        tally.add(reply.status)
                        answered += 1
                        if reply.status == 202 || reply.status == 200, let id = reply.json["id"] as? String { accepted.append(id) }
                    }
                }
            }
        }
    }
    let faultResult = await fault.value
    return (tally, accepted, faultResult)
}

/// Of the accepted variant ids: how many ended ready, failed, or neither (lost).
func outcomes(_ ids: [String]) async throws -> (ready: Int, failed: Int, lost: Int) {
    let list = ids.map { "'\($0)'" }.joined(separator: ",")
    guard !ids.isEmpty else { return (0, 0, 0) }
    let ready = try await count("SELECT count(*)::int FROM images WHERE status = 'ready' AND id IN (\(list))")
    let failed = try await count("SELECT count(*)::int FROM images WHERE status = 'failed' AND id IN (\(list))")
    return (ready, failed, ids.count - ready - failed)
}

func duplicates() async throws -> Int {
    try await count("SELECT (count(*) - count(DISTINCT (source_id, spec_hash)))::int FROM images WHERE source_id IS NOT NULL")
}

func metric(_ name: String, _ label: String) -> Double {
    runtime.metricsText().split(separator: "\n").filter { $0.hasPrefix(name) && $0.contains(label) }
        .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
}

// MARK: broker
if wanted("broker") {
    for (mode, offset) in [("restart", 0), ("kill -9", 1)] {
        // 1,000 distinct small resizes, new for each round.
        let specs = (0..<1000).map { i in #"{"resize":{"width":\#(8 + i % 50),"height":\#(8 + i / 50 + offset * 20),"fit":"fill"}}"# }
        let outage = ContinuousClock.now
        let (tally, accepted, downFor) = await transformStorm(smallID, specs, trigger: 250) {
            let start = ContinuousClock.now
            if mode == "restart" { await services("stop", "rabbitmq") } else { await services("kill", "rabbitmq") }
            try? await Task.sleep(for: .seconds(2))
            await services("up")
            return ms(ContinuousClock.now - start) / 1000
        }
        let drain = try await drained()
        let result = try await outcomes(accepted)
        say("broker \(mode): 1000 requests in \(String(format: "%.1f", ms(ContinuousClock.now - outage) / 1000)) s, broker down \(String(format: "%.1f", downFor)) s; answers \(tally.description); server errors (5xx but 503) \(tally.serverErrors)")
        say("  accepted \(accepted.count): ready \(result.ready), failed \(result.failed), lost \(result.lost); duplicated variants \(try await duplicates()); backlog drained \(drain.map { String(format: "%.1f s after the last answer", $0) } ?? "NOT within 180 s")")
    }
}

// MARK: worker
if wanted("worker") {
    let redeliveriesBefore = metric("queue_redeliveries_total", queue)
    let restartsBefore = metric("worker_restarts_total", "transform-worker")
    let specs = (0..<500).map { i in #"{"resize":{"width":\#(100 + i)},"filters":{"sharpen":true}}"# }
    let killer = Task<Int, Never> {
        var kills = 0
        try? await Task.sleep(for: .milliseconds(500))
        while kills < 20 {
            if let pid = await runtime.workerProcessIDs("transform-worker").randomElement() {
                kill(pid, SIGKILL)
                kills += 1
            }
            try? await Task.sleep(for: .milliseconds(400))
        }
        return kills
    }
    let (tally, accepted, _) = await transformStorm(duneID, specs, concurrency: 8, trigger: .max) { 0 }
    let kills = await killer.value
    let drain = try await drained()
    let result = try await outcomes(accepted)
    say("worker kill -9: \(kills) kills during 500 jobs; answers \(tally.description)")
    say("  accepted \(accepted.count): ready \(result.ready), failed \(result.failed) (dead-lettered after \(configuration.deliveryLimit) deliveries), lost \(result.lost); duplicated variants \(try await duplicates())")
    say("  redeliveries \(Int(metric("queue_redeliveries_total", queue) - redeliveriesBefore)), worker restarts \(Int(metric("worker_restarts_total", "transform-worker") - restartsBefore)); drained \(drain.map { String(format: "%.1f s", $0) } ?? "NOT within 180 s")")
}

// MARK: database
if wanted("database") {
    let lock = NSLock()
    var tally = Tally(), stored: [String] = [], afterRestart = 0
    var restarted = false
    let stop = ContinuousClock.now + .seconds(24)
    let outage = Task<Double, Never> {
        try? await Task.sleep(for: .seconds(4))
        let down = ContinuousClock.now
        await services("stop", "postgres")
        try? await Task.sleep(for: .seconds(8))
        await services("up")
        lock.withLock { restarted = true }
        return ms(ContinuousClock.now - down) / 1000
    }
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<6 {
            group.addTask {
                while ContinuousClock.now < stop {
                    let reply = await call(.POST, "/images", body: dune, headers: alice + [("Content-Type", "image/jpeg")])
                    lock.withLock {
                        tally.add(reply.status)
                        if reply.status == 201, let id = reply.json["id"] as? String {
                            stored.append(id)
                            if restarted { afterRestart += 1 }
                        }
                    }
                }
            }
        }
    }
    let downFor = await outage.value
    var missing = 0
    for id in stored where await call(.GET, "/images/\(id)/metadata", headers: alice).status != 200 { missing += 1 }
    say("database restart under upload load (6 clients, 24 s, PostgreSQL down \(String(format: "%.1f", downFor)) s): answers \(tally.description); server errors (5xx but 503) \(tally.serverErrors)")
    say("  acknowledged uploads \(stored.count), missing afterwards \(missing); uploads stored after the restart, same local-runtime: \(afterRestart)")
}

// MARK: outages
// What the first runs missed: PostgreSQL and the S3 server each down for 45 s (longer than every function's
// timeout), the S3 server killed with SIGKILL, and every service stopped and started at once, each under mixed
// traffic. The contract: a dependency that is down is a 503 with Retry-After, answered before the deadline by a
// worker that lives on (no 504, no worker restart), and nothing acknowledged is lost or made twice.

/// The next transform spec: distinct from every other this run sends (grayscale, unlike the broker's).
let specCounter = NSLock()
nonisolated(unsafe) var specsSent = 0
func nextSpec() -> String {
    let n = specCounter.withLock { specsSent += 1; return specsSent }
    return #"{"resize":{"width":\#(8 + n % 88),"height":\#(8 + (n / 88) % 88),"fit":"fill"},"filters":{"grayscale":true}}"#
}

/// Answers by route, with the slowest one, while 6 clients send uploads, transforms, image GETs, `me` and
/// listings round robin for `seconds`; `fault` runs meanwhile and returns how long the dependency was down.
func trafficDuring(_ name: String, seconds: Int, fault: @escaping @Sendable () async -> Double) async throws {
    let lock = NSLock()
    var tallies: [String: Tally] = [:], slowest: [String: Double] = [:]
    var stored: [String] = [], accepted: [String] = []
    let restartsBefore = metric("worker_restarts_total", "function=")
    let end = ContinuousClock.now + .seconds(seconds)
    let outage = Task<Double, Never> { await fault() }
    let routes = ["upload", "transform", "image", "me", "list"]
    await withTaskGroup(of: Void.self) { group in
        for client in 0..<6 {
            group.addTask {
                var turn = client
                while ContinuousClock.now < end {
                    let route = routes[turn % routes.count]
                    turn += 1
                    let start = ContinuousClock.now
                    let reply: Reply
                    switch route {
                    case "upload": reply = await call(.POST, "/images", body: dune, headers: alice + [("Content-Type", "image/jpeg")])
                    case "transform": reply = await call(.POST, "/images/\(smallID)/transform", body: Data(#"{"transformations":\#(nextSpec())}"#.utf8), headers: alice + jsonType)
                    case "image": reply = await call(.GET, "/images/\(duneID)", headers: alice)
                    case "me": reply = await call(.GET, "/users/me", headers: alice)
                    default: reply = await call(.GET, "/images?limit=5", headers: alice)
                    }
                    let took = ms(ContinuousClock.now - start) / 1000
                    lock.withLock {
                        tallies[route, default: Tally()].add(reply.status)
                        slowest[route] = max(slowest[route] ?? 0, took)
                        if route == "upload", reply.status == 201, let id = reply.json["id"] as? String { stored.append(id) }
                        if route == "transform", reply.status == 202 || reply.status == 200, let id = reply.json["id"] as? String { accepted.append(id) }
                    }
                    if reply.status == 503 { try? await Task.sleep(for: .milliseconds(200)) }  // as a client honouring Retry-After would, a little
                }
            }
        }
    }
    let downFor = await outage.value
    let drain = try await drained()
    let result = try await outcomes(accepted)
    var missing = 0
    for id in stored where await call(.GET, "/images/\(id)/metadata", headers: alice).status != 200 { missing += 1 }
    let serverErrors = tallies.values.map(\.serverErrors).reduce(0, +)
    say("\(name) (down \(String(format: "%.1f", downFor)) s, 6 clients for \(seconds) s): server errors (5xx but 503) \(serverErrors), worker restarts \(Int(metric("worker_restarts_total", "function=") - restartsBefore))")
    for route in routes {
        say("  \(route): \(tallies[route]?.description ?? "none"); slowest answer \(String(format: "%.1f", slowest[route] ?? 0)) s")
    }
    say("  acknowledged uploads \(stored.count), missing afterwards \(missing); accepted transforms \(accepted.count): ready \(result.ready), failed \(result.failed), lost \(result.lost); duplicated variants \(try await duplicates()); backlog drained \(drain.map { String(format: "%.1f s after the last answer", $0) } ?? "NOT within 180 s")")
}

/// Stops (or kills) `service`, waits `seconds`, starts it again; how long it was down.
func outage(_ action: String, _ service: String, for seconds: Int, after delay: Int = 5) async -> Double {
    try? await Task.sleep(for: .seconds(delay))
    let down = ContinuousClock.now
    await services(action, service)
    try? await Task.sleep(for: .seconds(seconds))
    await services("up")
    return ms(ContinuousClock.now - down) / 1000
}

if wanted("database-outage") {
    try await trafficDuring("PostgreSQL stopped for 45 s", seconds: 65) { await outage("stop", "postgres", for: 45) }
}
if wanted("s3-outage") {
    try await trafficDuring("the S3 server stopped for 45 s", seconds: 65) { await outage("stop", "s3", for: 45) }
}
if wanted("s3-kill") {
    try await trafficDuring("the S3 server killed with SIGKILL", seconds: 25) { await outage("kill", "s3", for: 2) }
}
if wanted("restart-all") {
    try await trafficDuring("every service stopped and started at once", seconds: 40) {
        try? await Task.sleep(for: .seconds(5))
        let down = ContinuousClock.now
        await services("down")
        await services("up")
        return ms(ContinuousClock.now - down) / 1000
    }
}

// MARK: hostile
if wanted("hostile") {
    // Valid images of every accepted format, made from a photo, to damage.
    let photo = [UInt8](dune)
    var samples: [(String, [UInt8])] = [("jpeg", photo)]
    for format in ["png", "webp", "gif", "tiff", "avif", "heif"] {
        let spec = try JSONDecoder().decode(TransformationSpec.self, from: Data(#"{"resize":{"width":240},"format":"\#(format)"}"#.utf8))
        samples.append((format, try ImageProcessor.process(try ImageSource(bytes: photo), spec: spec).bytes))
    }
    func pngBomb() -> [UInt8] {
        var ihdr: [UInt8] = Array("IHDR".utf8) + [0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60, 8, 2, 0, 0, 0]  // 60000 x 60000 RGB
        let crc = ihdr.reduce(UInt32(0xFFFF_FFFF)) { c, b in
            var c = c ^ UInt32(b)
            for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
            return c
        } ^ 0xFFFF_FFFF
        ihdr += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + ihdr + [0, 0, 0, 0] + Array("IDAT".utf8) + [0, 0, 0, 0]
    }
    var jpegBomb = photo
    if let sof = (0..<(jpegBomb.count - 9)).first(where: { jpegBomb[$0] == 0xFF && (jpegBomb[$0 + 1] == 0xC0 || jpegBomb[$0 + 1] == 0xC2) }) {
        jpegBomb[sof + 5] = 0xFD; jpegBomb[sof + 6] = 0xE8; jpegBomb[sof + 7] = 0xFD; jpegBomb[sof + 8] = 0xE8  // 65000 x 65000
    }
    let fixed: [(String, [UInt8])] = [
        ("png bomb", pngBomb()), ("jpeg 65000²", jpegBomb),
        ("svg", Array(#"<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><circle r="5"/></svg>"#.utf8)),
        ("pdf", Array("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF".utf8)),
        ("matlab", Array("MATLAB 5.0 MAT-file, Platform: GLNXA64".utf8) + [UInt8](repeating: 0, count: 100)),
        ("ppm", Array("P6\n30000 30000\n255\n".utf8)), ("text", Array("hello, this is not an image".utf8)), ("empty", []),
    ]
    var rng = SystemRandomNumberGenerator()
    var cases: [(String, [UInt8], String)] = []  // name, bytes, declared type
    while cases.count < 1000 {
        let (format, bytes) = samples[cases.count % samples.count]
        switch cases.count % 4 {
        case 0: cases.append(("truncated \(format)", Array(bytes.prefix(Int.random(in: 1..<max(2, bytes.count - 1), using: &rng))), "image/\(format)"))
        case 1:
            var flipped = bytes
            for _ in 0..<Int.random(in: 1...24, using: &rng) { flipped[Int.random(in: 0..<flipped.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng)) }
            cases.append(("bit-flipped \(format)", flipped, "image/\(format)"))
        case 2: let (name, bytes) = fixed[cases.count / 4 % fixed.count]; cases.append((name, bytes, "image/png"))
        default: cases.append(("mislabelled \(format)", bytes, ["image/png", "text/plain", "application/pdf", "image/svg+xml"][cases.count / 4 % 4]))
        }
    }
    let lock = NSLock()
    var tally = Tally(), byPath: [String: Int] = [:]
    var peakRSS = 0
    let sampler = Task<Void, Never> {
        while !Task.isCancelled {
            for pid in await runtime.workerProcessIDs("upload") {
                let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
                if let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                    let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
                {
                    lock.withLock { peakRSS = max(peakRSS, kb) }
                }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
    let restartsBefore = metric("worker_restarts_total", "upload")
    var nextCase = 0
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<8 {
            group.addTask {
                while true {
                    let index: Int? = lock.withLock { nextCase < cases.count ? { nextCase += 1; return nextCase - 1 }() : nil }
                    guard let index else { return }
                    let (_, bytes, type) = cases[index]
                    let reply: Reply
                    let path: String
                    switch index % 3 {
                    case 0:
                        path = "multipart"
                        var body = Data("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\nContent-Type: \(type)\r\n\r\n".utf8)
                        body += Data(bytes) + Data("\r\n--B--\r\n".utf8)
                        reply = await call(.POST, "/images", body: body, headers: alice + [("Content-Type", "multipart/form-data; boundary=B")])
                    case 1:
                        path = "raw"
                        reply = await call(.POST, "/images", body: Data(bytes), headers: alice + [("Content-Type", type)])
                    default:
                        path = "base64"
                        let body = try! JSONSerialization.data(withJSONObject: ["image": Data(bytes).base64EncodedString(), "filename": "x"])
                        reply = await call(.POST, "/images/upload", body: body, headers: alice + jsonType)
                    }
                    lock.withLock {
                        tally.add(reply.status)
                        byPath[path, default: 0] += 1
                    }
                }
            }
        }
    }
    sampler.cancel()
    say("hostile uploads: \(cases.count) (truncated and bit-flipped JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF; bombs, SVG, PDF, MATLAB, PPM, text, empty, mislabelled) over \(byPath.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
    say("  answers \(tally.description); 5xx \(tally.counts.filter { $0.key >= 500 }.values.reduce(0, +)); upload worker restarts \(Int(metric("worker_restarts_total", "upload") - restartsBefore)); peak RSS of an upload worker \(peakRSS / 1024) MB")
}

// MARK: login
if wanted("login") {
    _ = try await register("victim")
    func login(_ user: String, _ password: String) async -> (Reply, Double) {
        let start = ContinuousClock.now
        let reply = await call(.POST, "/login", body: try! JSONSerialization.data(withJSONObject: ["username": user, "password": password]), headers: jsonType)
        return (reply, ms(ContinuousClock.now - start))
    }
    var brute = Tally()
    for i in 0..<50 { brute.add(await login("victim", "guess number \(i)").0.status) }
    say("login brute force, 50 wrong passwords for one account from one address: \(brute.description)")
    // Unknown user and wrong password, interleaved, each name fresh so the limit does not interfere.
    var unknown: [Double] = [], wrong: [Double] = []
    var bodies = Set<String>(), statuses = Set<Int>()
    for i in 0..<20 {
        let name = "user-\(i)-\(UUID().uuidString.prefix(4))"
        _ = try await register(name)
        let (a, ta) = await login(name, "not the password")
        let (b, tb) = await login("nobody-\(UUID().uuidString.prefix(8))", "not the password")
        wrong.append(ta); unknown.append(tb)
        statuses.formUnion([a.status, b.status])
        bodies.formUnion([String(decoding: a.body, as: UTF8.self), String(decoding: b.body, as: UTF8.self)])
    }
    say("  unknown user vs wrong password: statuses \(statuses.sorted()), \(bodies.count) distinct body; median \(String(format: "%.1f", median(unknown))) ms vs \(String(format: "%.1f", median(wrong))) ms (ratio \(String(format: "%.2f", median(unknown) / max(median(wrong), 0.001))))")
}

say("rate-limit refusals counted by local-runtime's /metrics: \(Int(metric("rate_limit_refusals_total", "function=")))")
await runtime.shutdown()
_ = await running.result
_ = try? await sql(PostgresQuery(unsafeSQL: "DROP DATABASE \(databaseName) WITH (FORCE)"))
