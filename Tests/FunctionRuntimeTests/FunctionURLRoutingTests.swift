import Foundation
import Testing
@testable import FunctionRuntime

/// A function URL's event (the payload 2.0 format without a route, as Lambda documents it) gets the path
/// parameters its function's routes give, as API Gateway would have given them.
@Suite struct FunctionURLRoutingTests {
    let routes = HTTPRoute.get("/images/{id}/t/{options}")

    func functionURLEvent() throws -> APIGatewayV2Request {
        try JSONDecoder().decode(APIGatewayV2Request.self, from: try EventCodingTests.payload("function-url-request"))
    }

    @Test func aFunctionURLEventGetsItsRoutesParameters() throws {
        let event = try functionURLEvent()
        #expect(event.routeKey == "$default" && event.pathParameters == nil)
        let routed = event.matchingPathParameters(of: routes)
        #expect(routed.pathParameters == ["id": "0c4c2d1e-7f43-4b43-9f0a-2d3c8b8e3f11", "options": "w_100,fmt_auto"])
        #expect(routed.queryStringParameters?["signature"] == "abc")
    }

    @Test func literalSegmentsMustMatchAndParametersMustNotBeEmpty() throws {
        var event = try functionURLEvent()
        for path in ["/images/x/s/w_100", "/images//t/w_100", "/images/x/t", "/images/x/t/w_100/more"] {
            event.rawPath = path
            #expect(event.matchingPathParameters(of: routes).pathParameters == nil, "\(path)")
        }
        event.rawPath = "/gallery/app.js"
        #expect(event.matchingPathParameters(of: HTTPRoute.get("/") + HTTPRoute.get("/gallery/{file}")).pathParameters == ["file": "app.js"])
        event.rawPath = "/"
        #expect(event.matchingPathParameters(of: HTTPRoute.get("/") + HTTPRoute.get("/gallery/{file}")).pathParameters == nil)
    }

    @Test func anAPIGatewayEventKeepsWhatTheGatewayGave() throws {
        var event = try functionURLEvent()
        event.routeKey = "GET /images/{id}/t/{options}"
        event.pathParameters = ["id": "given", "options": "w_1"]
        #expect(event.matchingPathParameters(of: routes).pathParameters == ["id": "given", "options": "w_1"])
    }
}
