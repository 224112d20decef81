import NIOCore
import FunctionRuntime

import Foundation

// Functions that misbehave on purpose, for testing local-runtime's supervision with real processes: they
// sleep past their timeout, crash, fail, and record queue deliveries in FIXTURE_OUTPUT_DIR.

let outputDirectory = ProcessInfo.processInfo.environment["FIXTURE_OUTPUT_DIR"] ?? NSTemporaryDirectory()

/// Appends a line to a file in the output directory (created on first use).
func record(_ line: String, in name: String) {
    let url = URL(fileURLWithPath: outputDirectory).appendingPathComponent(name)
    let data = Data((line + "\n").utf8)
    if let handle = try? FileHandle(forWritingTo: url) {
        handle.seekToEndOfFile()
        handle.write(data)
        try? handle.close()
    } else {
        try? data.write(to: url)
    }
}

struct Echo: HTTPHandler {
    struct Reply: Encodable {
        var routeKey: String
        var method: String
        var path: String
        var query: [String: String]?
        var pathParameters: [String: String]?
        var body: String?
        var isBase64Encoded: Bool
        var contentType: String?
        var remainingMs: Int64
        var pid: Int32
    }

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let reply = Reply(
            routeKey: request.routeKey, method: request.requestContext.http.method, path: request.rawPath,
            query: request.queryStringParameters, pathParameters: request.pathParameters, body: request.body,
            isBase64Encoded: request.isBase64Encoded, contentType: request.header("content-type"),
            remainingMs: Int64(context.remainingTime.components.seconds * 1000),
            pid: ProcessInfo.processInfo.processIdentifier
        )
        let body = String(decoding: try JSONEncoder().encode(reply), as: UTF8.self)
        return APIGatewayV2Response(statusCode: 200, headers: ["content-type": "application/json", "x-fixture": "echo"], body: body)
    }
}

/// Sleeps `ms` milliseconds; with `pidfile`, first writes its pid there so a test can kill it mid-request.
struct Sleep: HTTPHandler {
    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let query = request.queryStringParameters ?? [:]
        if let pidfile = query["pidfile"] {
            record("\(ProcessInfo.processInfo.processIdentifier)", in: pidfile)
        }
        let ms = Int(query["ms"] ?? "0") ?? 0
        try await Task.sleep(for: .milliseconds(ms))
        return APIGatewayV2Response(statusCode: 200, headers: ["content-type": "text/plain"], body: "slept \(ms)")
    }
}

/// Answers a text body of `bytes` bytes (with `pid` in a header), to test the response payload limit.
struct Big: HTTPHandler {
    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let size = Int(request.queryStringParameters?["bytes"] ?? "0") ?? 0
        return APIGatewayV2Response(
            statusCode: 200, headers: ["content-type": "text/plain", "x-pid": "\(ProcessInfo.processInfo.processIdentifier)"],
            body: String(repeating: "a", count: size)
        )
    }
}

/// Throws: the invocation fails and the Runtime API gets the error.
struct Fail: HTTPHandler {
    struct Boom: Error, CustomStringConvertible { var description: String { "the fixture failed on purpose" } }
    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        throw Boom()
    }
}

/// Records every delivery in a file named by the message body; fails when the body starts with "fail".
struct Recorder: QueueHandler {
    struct Refused: Error, CustomStringConvertible { var description: String { "the message asked to fail" } }
    func handle(_ message: RabbitMQEvent.Message, context: InvocationContext) async throws {
        let body = String(decoding: Data(base64Encoded: message.data) ?? Data(), as: UTF8.self)
        // "slow-<run>-<n>": 300 ms of work between a start and an end line in the file "slow-<run>", so a test
        // can see whether two ran at once.
        if body.hasPrefix("slow-"), let run = body.split(separator: "-").dropFirst().first {
            record("start \(DispatchTime.now().uptimeNanoseconds)", in: "slow-\(run)")
            try await Task.sleep(for: .milliseconds(300))
            record("end \(DispatchTime.now().uptimeNanoseconds)", in: "slow-\(run)")
            return
        }
        record("redelivered=\(message.redelivered)", in: body)
        if body.hasPrefix("fail") { throw Refused() }
    }
}

/// A streamed answer of `kb` KiB, whose body stops after `stallAfter` KiB (when given) and never goes on: to
/// test what the client sees when a stream breaks off after its first byte.
struct Stream: InvocationHandler {
    func handle(_ event: Data, context: InvocationContext) async throws -> Data { Data() }

    func output(_ event: Data, context: InvocationContext) async throws -> InvocationOutput {
        let request = try JSONDecoder().decode(APIGatewayV2Request.self, from: event)
        let query = request.queryStringParameters ?? [:]
        let kb = Int(query["kb"] ?? "1") ?? 1
        let stallAfter = query["stallAfter"].flatMap(Int.init)
        let chunks = AsyncStream<ByteBuffer> { continuation in
            Task {
                for i in 0..<kb {
                    if i == stallAfter { return }  // never finished: the body stops here
                    continuation.yield(ByteBuffer(repeating: UInt8(i % 251), count: 1024))
                }
                continuation.finish()
            }
        }
        let prelude = StreamedResponse.Prelude(statusCode: 200, headers: ["content-type": "application/octet-stream", "x-pid": "\(ProcessInfo.processInfo.processIdentifier)"])
        return .streamed(StreamedResponse(prelude: prelude, body: .stream(ResponseBodyStream(length: kb * 1024, chunks))))
    }
}

let table = FunctionTable<Void>([
    FunctionDefinition(
        FunctionDescription(
            name: "echo", summary: "Echoes the request.", timeoutSeconds: 5,
            routes: [HTTPRoute("GET", "/echo"), HTTPRoute("POST", "/echo/{name}")]
        )
    ) { _ in HTTPInvocationHandler(Echo()) },
    FunctionDefinition(
        FunctionDescription(name: "sleep", summary: "Sleeps.", timeoutSeconds: 2, routes: [HTTPRoute("GET", "/sleep")])
    ) { _ in HTTPInvocationHandler(Sleep()) },
    FunctionDefinition(
        FunctionDescription(name: "big", summary: "Answers N bytes.", timeoutSeconds: 5, routes: [HTTPRoute("GET", "/big")])
    ) { _ in HTTPInvocationHandler(Big()) },
    FunctionDefinition(
        FunctionDescription(name: "fail", summary: "Fails.", timeoutSeconds: 2, routes: [HTTPRoute("GET", "/fail")])
    ) { _ in HTTPInvocationHandler(Fail()) },
    FunctionDefinition(
        FunctionDescription(
            name: "stream", summary: "Streams N KiB, or stalls.", timeoutSeconds: 2, routes: [HTTPRoute("GET", "/stream")],
            invokeMode: .responseStream
        )
    ) { _ in Stream() },
    FunctionDefinition(
        FunctionDescription(name: "recorder", summary: "Records deliveries.", timeoutSeconds: 5, queue: QueueTrigger(queue: "fixture-jobs"))
    ) { _ in QueueInvocationHandler(Recorder()) },
])

exit(await FunctionMain.run(table: table) { _ in ((), []) })
