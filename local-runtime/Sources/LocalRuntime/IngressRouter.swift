import FunctionRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOFoundationCompat
import Logging

/// The HTTP side of local-runtime: every function route of the table, turned into payload 2.0 events and
/// run on the workers; plus `GET /metrics`.
enum IngressRouter {
    /// What API Gateway and Lambda enforce around an HTTP invocation.
    struct Limits: Sendable {
        var maxBodyBytes: Int
        var maxEventBytes: Int
        var bodyTimeout: Duration
        var integrationTimeout: Duration
    }

    static func build(
        functions: [FunctionDescription], supervisor: WorkerSupervisor, metrics: RuntimeMetrics, limits: Limits,
        cors: GatewayCORS = GatewayCORS(allowedOrigins: []), logger: Logger
    ) -> Router<IngressContext> {
        let router = Router(context: IngressContext.self)
        // API Gateway's `$default` route: what no other route takes goes to the function that declares it.
        let fallback = functions.first { $0.routes.contains(.fallback) }.map { function in
            { @Sendable (request: Request, context: IngressContext) async throws -> Response in
                try await invoke(
                    function, route: .fallback, parameterNames: [], request: request, context: context,
                    supervisor: supervisor, metrics: metrics, limits: limits, logger: logger
                )
            }
        }
        router.add(middleware: IngressMiddleware(metrics: metrics, logger: logger, fallback: fallback, cors: cors))
        let metricsPage = { @Sendable (_: Request, _: IngressContext) -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        router.get("/metrics", use: metricsPage)
        router.head("/metrics", use: metricsPage)
        // Hummingbird treats `/users` and `/users/` as one path (API Gateway routes them separately): register
        // each method and path once.
        var registered = Set<String>()
        for function in functions {
            for route in function.routes where route != .fallback {
                guard let method = HTTPRequest.Method(route.method) else { continue }
                var path = route.path
                while path.count > 1, path.hasSuffix("/") { path.removeLast() }
                guard registered.insert("\(route.method) \(path)").inserted else { continue }
                let names = parameterNames(in: route.path)
                router.on(RouterPath(route.path), method: method) { request, context in
                    try await invoke(
                        function, route: route, parameterNames: names, request: request, context: context,
                        supervisor: supervisor, metrics: metrics, limits: limits, logger: logger
                    )
                }
            }
        }
        return router
    }

    private static func invoke(
        _ function: FunctionDescription, route: HTTPRoute, parameterNames: [String], request: Request,
        context: IngressContext, supervisor: WorkerSupervisor, metrics: RuntimeMetrics, limits: Limits, logger: Logger
    ) async throws -> Response {
        // Refuse a declared oversize body before reading any of it.
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limits.maxBodyBytes {
            throw HTTPError(.contentTooLarge)
        }
        let body: ByteBuffer
        do {
            body = try await collectBody(request, upTo: limits.maxBodyBytes, within: limits.bodyTimeout)
        } catch let error as HTTPError {
            throw error
        } catch {
            // Malformed framing (a chunk size that is no number, a body that ends before its length): the
            // client sent a bad request, as API Gateway answers it, not a failed function.
            throw HTTPError(.badRequest, message: "The request body could not be read: its framing is malformed.")
        }
        var parameters: [String: String] = [:]
        for name in parameterNames {
            if let value = context.parameters.get(name) { parameters[name] = value.removingPercentEncoding ?? value }
        }
        let requestID = UUID().uuidString.lowercased()
        let built = ContinuousClock.now
        let event = try APIGatewayV2Response.encoder.encode(APIGatewayEventBuilder.event(
            for: request, body: body, route: route, pathParameters: parameters,
            sourceIP: context.remoteAddress?.ipAddress ?? "127.0.0.1", requestID: requestID,
            functionURL: function.invokeMode == .responseStream
        ))
        let invoked = ContinuousClock.now
        var response = await answer(function, event: event, requestID: requestID,
                                    supervisor: supervisor, metrics: metrics, limits: limits, logger: logger)
        response.headers[.init("apigw-requestid")!] = requestID
        // A function that reports its stages (SERVER_TIMING=1) gets the gateway's before them: the event's
        // making, and the invocation as the gateway saw it (the Runtime API hops, the function, the answer's
        // decoding), so the difference to the function's own `handler` is what the emulated hop costs.
        if let stages = response.headers[.init("server-timing")!] {
            let done = ContinuousClock.now
            response.headers[.init("server-timing")!] =
                "\(ServerTiming.entry("gw.event", invoked - built)), \(ServerTiming.entry("gw.invoke", done - invoked)), \(stages)"
        }
        return response
    }

    /// What the client gets for an event: refused over the payload limit, 504 at the integration timeout,
    /// the function's answer, or the gateway's problem for an invocation that did not succeed.
    private static func answer(
        _ function: FunctionDescription, event: Data, requestID: String, supervisor: WorkerSupervisor,
        metrics: RuntimeMetrics, limits: Limits, logger: Logger
    ) async -> Response {
        // Lambda refuses a synchronous event over 6 MB; a binary body grows by a third as base64.
        guard event.count <= limits.maxEventBytes else {
            logger.warning(
                "event over the invocation payload limit",
                metadata: ["function": "\(function.name)", "event.bytes": "\(event.count)", "limit": "\(limits.maxEventBytes)"]
            )
            return GatewayProblem.payloadTooLarge(
                "The request is over the \(limits.maxEventBytes)-byte invocation payload limit once encoded for the function (a binary body grows by a third)."
            )
        }
        let result = await IntegrationTimeout.run(within: limits.integrationTimeout) {
            await supervisor.invoke(function, event: event, requestID: requestID)
        }
        guard let result else {
            logger.warning(
                "integration timeout: the client is answered 504, the invocation runs on",
                metadata: ["function": "\(function.name)", "request.id": "\(requestID)"]
            )
            return GatewayProblem.response(
                status: .gatewayTimeout, code: "integration_timeout",
                detail: "The function did not answer within the gateway's integration timeout."
            )
        }
        let response: Response
        switch result {
        case .success(let output): response = APIGatewayEventBuilder.response(from: output)
        case .streamed(let stream): response = stream.response()
        default: return GatewayProblem.response(for: result)!
        }
        if response.status.code == 429 { metrics.rateLimited(function.name).increment() }
        return response
    }

    /// The whole body, or 408 when it has not arrived within `timeout` (a client trickling a body holds a
    /// connection and memory; API Gateway cuts such requests off too). The connection is closed after the 408.
    static func collectBody(_ request: Request, upTo maxBodyBytes: Int, within timeout: Duration) async throws -> ByteBuffer {
        // Neither a length nor chunks: the request has no body (RFC 9112 §6.3), and most are GETs. No race of
        // two tasks for nothing.
        if request.headers[.transferEncoding] == nil, request.headers[.contentLength] == nil || request.headers[.contentLength] == "0" {
            return ByteBuffer()
        }
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await request.body.collect(upTo: maxBodyBytes) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let body = first else { throw HTTPError(.requestTimeout) }
            return body
        }
    }

    /// `["id"]` for `/images/{id}`.
    static func parameterNames(in path: String) -> [String] {
        path.split(separator: "/").compactMap { segment in
            guard segment.hasPrefix("{"), segment.hasSuffix("}") else { return nil }
            return String(segment.dropFirst().dropLast())
        }
    }
}
