import AsyncAlgorithms
import FunctionRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOFoundationCompat

/// The emulated Lambda Runtime API. Each worker's `AWS_LAMBDA_RUNTIME_API` ends in `/workers/{id}`, so one
/// server tells the workers apart while each sees the standard paths.
enum RuntimeAPIRouter {
    static func build(
        supervisor: WorkerSupervisor, maxResponseBytes: Int, maxStreamedResponseBytes: Int = StreamedResponse.maxBytes
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let base = "/workers/{worker}/\(RuntimeAPIPath.version)/runtime"

        router.get("\(base)/invocation/next") { _, context in
            let worker = try context.parameters.require("worker", as: Int.self)
            let assignment: WorkerSupervisor.Assignment
            do {
                assignment = try await supervisor.next(worker: worker)
            } catch {
                throw HTTPError(.gone)
            }
            var headers = HTTPFields()
            headers[.init(RuntimeAPIHeader.requestID)!] = assignment.requestID
            headers[.init(RuntimeAPIHeader.deadlineMs)!] = String(assignment.deadlineMs)
            headers[.init(RuntimeAPIHeader.invokedFunctionARN)!] = "arn:aws:lambda:us-east-1:000000000000:function:local"
            headers[.init(RuntimeAPIHeader.traceID)!] = "Root=1-00000000-\(assignment.requestID.prefix(24));Sampled=0"
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: assignment.event)))
        }

        router.post("\(base)/invocation/{requestID}/response") { request, context in
            let worker = try context.parameters.require("worker", as: Int.self)
            let requestID = try context.parameters.require("requestID")
            if request.headers[.init(RuntimeAPIHeader.responseMode)!]?.lowercased() == "streaming" {
                return await streamed(
                    request, worker: worker, requestID: requestID, supervisor: supervisor, maxBytes: maxStreamedResponseBytes
                )
            }
            // Over the limit, the invocation fails and the worker hears 413, as from Lambda's Runtime API.
            let declared = request.headers[.contentLength].flatMap(Int.init)
            let body: ByteBuffer
            do {
                if let declared, declared > maxResponseBytes { throw HTTPError(.contentTooLarge) }
                body = try await request.body.collect(upTo: maxResponseBytes)
            } catch let error as HTTPError where error.status == .contentTooLarge {
                _ = await supervisor.responseTooLarge(worker: worker, requestID: requestID, bytes: declared)
                return Response(status: .contentTooLarge)
            }
            guard await supervisor.respond(worker: worker, requestID: requestID, body: Data(buffer: body)) else {
                throw HTTPError(.notFound)
            }
            return Response(status: .accepted)
        }

        router.post("\(base)/invocation/{requestID}/error") { request, context in
            let worker = try context.parameters.require("worker", as: Int.self)
            let requestID = try context.parameters.require("requestID")
            let report = try await decodeReport(request)
            guard await supervisor.fail(worker: worker, requestID: requestID, report: report) else {
                throw HTTPError(.notFound)
            }
            return Response(status: .accepted)
        }

        router.post("\(base)/init/error") { request, context in
            let worker = try context.parameters.require("worker", as: Int.self)
            await supervisor.initFailed(worker: worker, report: try await decodeReport(request))
            return Response(status: .accepted)
        }
        return router
    }

    /// A streamed response: the client is answered at the prelude, the body follows as the worker sends it,
    /// and the invocation ends with the body. A missing or malformed prelude fails the invocation as Lambda
    /// does (`Runtime.InvalidResponse`, a 502 for the client); a body over `maxBytes` is cut off there.
    private static func streamed(
        _ request: Request, worker: Int, requestID: String, supervisor: WorkerSupervisor, maxBytes: Int
    ) async -> Response {
        var iterator = request.body.makeAsyncIterator()
        let prelude: StreamedResponse.Prelude
        let rest: ByteBuffer
        do {
            (prelude, rest) = try await StreamedResponseReader.prelude(from: &iterator)
        } catch {
            let report = ErrorReport(errorType: "Runtime.InvalidResponse", errorMessage: "the streamed response has no valid prelude")
            _ = await supervisor.fail(worker: worker, requestID: requestID, report: report)
            return Response(status: .badRequest)
        }
        let stream = ResponseStream(prelude: prelude, chunks: AsyncThrowingChannel())
        guard await supervisor.beginStream(worker: worker, requestID: requestID, stream) else {
            return Response(status: .notFound)
        }
        let whole = await StreamedResponseReader.forward(first: rest, rest: &iterator, to: stream.chunks, maxBytes: maxBytes)
        await supervisor.endStream(worker: worker, requestID: requestID)
        return Response(status: whole ? .accepted : .contentTooLarge)
    }

    private static func decodeReport(_ request: Request) async throws -> ErrorReport {
        let body = try await request.body.collect(upTo: 1 << 20)
        let type = request.headers[.init(RuntimeAPIHeader.errorType)!] ?? "Unknown"
        return (try? JSONDecoder().decode(ErrorReport.self, from: Data(buffer: body)))
            ?? ErrorReport(errorType: type, errorMessage: "")
    }
}
