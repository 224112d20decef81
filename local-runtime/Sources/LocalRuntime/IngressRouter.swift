import FunctionRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOFoundationCompat
import Logging

/// The HTTP side of local-runtime: every function route of the table, turned into payload 2.0 events and
/// run on the workers; plus `GET /metrics`.
enum IngressRouter {
    static func build(
        functions: [FunctionDescription], supervisor: WorkerSupervisor, metrics: RuntimeMetrics, maxBodyBytes: Int,
        bodyTimeout: Duration, logger: Logger
    ) -> Router<IngressContext> {
        let router = Router(context: IngressContext.self)
        router.add(middleware: IngressMiddleware(metrics: metrics, logger: logger))
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        // Hummingbird treats `/users` and `/users/` as one path (API Gateway routes them separately): register
        // each method and path once.
        var registered = Set<String>()
        for function in functions {
            for route in function.routes {
                guard let method = HTTPRequest.Method(route.method) else { continue }
                var path = route.path
                while path.count > 1, path.hasSuffix("/") { path.removeLast() }
                guard registered.insert("\(route.method) \(path)").inserted else { continue }
                let names = parameterNames(in: route.path)
                router.on(RouterPath(route.path), method: method) { request, context in
                    try await invoke(
                        function, route: route, parameterNames: names, request: request, context: context,
                        supervisor: supervisor, metrics: metrics, maxBodyBytes: maxBodyBytes, bodyTimeout: bodyTimeout
                    )
                }
            }
        }
        return router
    }

    private static func invoke(
        _ function: FunctionDescription, route: HTTPRoute, parameterNames: [String], request: Request,
        context: IngressContext, supervisor: WorkerSupervisor, metrics: RuntimeMetrics, maxBodyBytes: Int,
        bodyTimeout: Duration
    ) async throws -> Response {
        // Refuse a declared oversize body before reading any of it.
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw HTTPError(.contentTooLarge)
        }
        let body = try await collectBody(request, upTo: maxBodyBytes, within: bodyTimeout)
        var parameters: [String: String] = [:]
        for name in parameterNames {
            if let value = context.parameters.get(name) { parameters[name] = value.removingPercentEncoding ?? value }
        }
        let requestID = UUID().uuidString.lowercased()
        let event = APIGatewayEventBuilder.event(
            for: request, body: body, route: route, pathParameters: parameters,
            sourceIP: context.remoteAddress?.ipAddress ?? "127.0.0.1", requestID: requestID
        )
        let result = await supervisor.invoke(function, event: try JSONEncoder().encode(event), requestID: requestID)
        if case .success(let output) = result {
            var response = APIGatewayEventBuilder.response(from: output)
            response.headers[.init("apigw-requestid")!] = requestID
            if response.status.code == 429 { metrics.rateLimited(function.name).increment() }
            return response
        }
        var response = GatewayProblem.response(for: result)!
        response.headers[.init("apigw-requestid")!] = requestID
        return response
    }

    /// The whole body, or 408 when it has not arrived within `timeout` (a client trickling a body holds a
    /// connection and memory; API Gateway cuts such requests off too). The connection is closed after the 408.
    static func collectBody(_ request: Request, upTo maxBodyBytes: Int, within timeout: Duration) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
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
