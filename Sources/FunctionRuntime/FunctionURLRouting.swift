import Foundation

extension APIGatewayV2Request {
    /// The request with the path parameters its route would have given: a Lambda function URL sends the
    /// payload 2.0 format without routes (`routeKey` `$default`, no `pathParameters`), so the function matches
    /// `rawPath` against its own routes, as API Gateway would have. Unchanged when parameters are there or no
    /// route's template matches (the handler then answers its 404).
    public func matchingPathParameters(of routes: [HTTPRoute]) -> APIGatewayV2Request {
        guard pathParameters == nil, routeKey == "$default" else { return self }
        let segments = rawPath.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for route in routes where route.path.hasPrefix("/") {
            let template = route.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            guard template.count == segments.count else { continue }
            var parameters: [String: String] = [:]
            var matches = true
            for (part, segment) in zip(template, segments) {
                if part.hasPrefix("{"), part.hasSuffix("}"), !segment.isEmpty {
                    parameters[String(part.dropFirst().dropLast())] = String(segment).removingPercentEncoding ?? String(segment)
                } else if part != segment {
                    matches = false
                    break
                }
            }
            guard matches else { continue }
            var request = self
            request.pathParameters = parameters.isEmpty ? nil : parameters
            return request
        }
        return self
    }
}
