import Foundation
import FunctionRuntime
import HTTPTypes
import Hummingbird
import NIOFoundationCompat
import Logging
import NIOCore

/// A Runtime API that hands out scripted invocations and records what the function posts back, served over
/// real HTTP so the client and the loop are tested together.
actor FakeRuntimeAPI {
    struct Posted: Sendable, Equatable {
        var kind: String  // "response", "error", "init-error"
        var requestID: String?
        var body: Data
        var errorTypeHeader: String?
    }

    private var queued: [(id: String, deadlineMs: Int64, event: Data)] = []
    private var nextWaiters: [CheckedContinuation<(id: String, deadlineMs: Int64, event: Data), Never>] = []
    private(set) var posted: [Posted] = []
    private var postedWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    func enqueue(id: String, deadlineMs: Int64, event: Data) {
        let item = (id: id, deadlineMs: deadlineMs, event: event)
        if !nextWaiters.isEmpty {
            nextWaiters.removeFirst().resume(returning: item)
        } else {
            queued.append(item)
        }
    }

    func next() async -> (id: String, deadlineMs: Int64, event: Data) {
        if !queued.isEmpty { return queued.removeFirst() }
        return await withCheckedContinuation { nextWaiters.append($0) }
    }

    func record(_ post: Posted) {
        posted.append(post)
        let ready = postedWaiters.filter { $0.count <= posted.count }
        postedWaiters.removeAll { $0.count <= posted.count }
        ready.forEach { $0.continuation.resume() }
    }

    /// Waits until `count` posts have arrived.
    func waitForPosts(_ count: Int) async -> [Posted] {
        if posted.count < count {
            await withCheckedContinuation { postedWaiters.append((count, $0)) }
        }
        return posted
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let base = "/\(RuntimeAPIPath.version)/runtime"
        router.get("\(base)/invocation/next") { _, _ in
            let item = await self.next()
            var headers = HTTPFields()
            headers[HTTPField.Name(RuntimeAPIHeader.requestID)!] = item.id
            headers[HTTPField.Name(RuntimeAPIHeader.deadlineMs)!] = String(item.deadlineMs)
            headers[HTTPField.Name(RuntimeAPIHeader.invokedFunctionARN)!] = "arn:aws:lambda:us-east-1:123456789012:function:test"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: item.event)))
        }
        router.post("\(base)/invocation/{id}/response") { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            await self.record(.init(kind: "response", requestID: context.parameters.get("id"), body: Data(buffer: body)))
            return Response(status: .accepted)
        }
        router.post("\(base)/invocation/{id}/error") { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            await self.record(.init(
                kind: "error", requestID: context.parameters.get("id"), body: Data(buffer: body),
                errorTypeHeader: request.headers[HTTPField.Name(RuntimeAPIHeader.errorType)!]
            ))
            return Response(status: .accepted)
        }
        router.post("\(base)/init/error") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            await self.record(.init(
                kind: "init-error", requestID: nil, body: Data(buffer: body),
                errorTypeHeader: request.headers[HTTPField.Name(RuntimeAPIHeader.errorType)!]
            ))
            return Response(status: .accepted)
        }
        return router
    }

    /// Serves the fake on a free loopback port while `body` runs; `body` gets `host:port`.
    func serve<T: Sendable>(_ body: @Sendable @escaping (String) async throws -> T) async throws -> T {
        let port = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "fake-runtime-api")
        logger.logLevel = .critical  // cancelling the server at the end of a test is expected
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                port.continuation.yield(channel.localAddress?.port ?? 0)
                port.continuation.finish()
            },
            logger: logger
        )
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var iterator = port.stream.makeAsyncIterator()
            let bound = await iterator.next() ?? 0
            let result = try await body("127.0.0.1:\(bound)")
            group.cancelAll()
            return result
        }
    }
}
