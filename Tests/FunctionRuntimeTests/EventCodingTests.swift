import Foundation
import FunctionRuntime
import Testing

/// The event types against AWS's published sample payloads (API Gateway's "payload format 2.0" example and
/// Lambda's Amazon MQ for RabbitMQ example).
@Suite struct EventCodingTests {
    static func payload(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Payloads/\(name)", withExtension: "json"))
        return try Data(contentsOf: url)
    }

    @Test func decodesAPIGatewayV2Sample() throws {
        let request = try JSONDecoder().decode(APIGatewayV2Request.self, from: Self.payload("apigateway-v2-request"))
        #expect(request.version == "2.0")
        #expect(request.routeKey == "$default")
        #expect(request.rawPath == "/my/path")
        #expect(request.rawQueryString == "parameter1=value1&parameter1=value2&parameter2=value")
        #expect(request.cookies == ["cookie1", "cookie2"])
        #expect(request.headers["header2"] == "value1,value2")
        #expect(request.header("HEADER1") == "value1")
        #expect(request.queryStringParameters?["parameter1"] == "value1,value2")
        #expect(request.pathParameters == ["parameter1": "value1"])
        #expect(request.stageVariables?["stageVariable2"] == "value2")
        #expect(request.requestContext.http.method == "POST")
        #expect(request.requestContext.http.sourceIp == "192.0.2.1")
        #expect(request.requestContext.timeEpoch == 1_583_348_638_390)
        #expect(request.body == "Hello from Lambda")
        #expect(request.isBase64Encoded == false)
    }

    @Test func apiGatewayV2RoundTrips() throws {
        let original = try JSONDecoder().decode(APIGatewayV2Request.self, from: Self.payload("apigateway-v2-request"))
        let again = try JSONDecoder().decode(APIGatewayV2Request.self, from: JSONEncoder().encode(original))
        #expect(again == original)
    }

    @Test func encodesResponseAsAPIGatewayExpects() throws {
        let response = APIGatewayV2Response(
            statusCode: 201, headers: ["content-type": "application/json", "location": "/images/1"],
            cookies: ["a=b"], body: "e30=", isBase64Encoded: true
        )
        let json = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(response)) as? [String: Any])
        #expect(json["statusCode"] as? Int == 201)
        #expect((json["headers"] as? [String: String])?["location"] == "/images/1")
        #expect(json["cookies"] as? [String] == ["a=b"])
        #expect(json["body"] as? String == "e30=")
        #expect(json["isBase64Encoded"] as? Bool == true)
    }

    @Test func decodesRabbitMQSample() throws {
        let event = try JSONDecoder().decode(RabbitMQEvent.self, from: Self.payload("rabbitmq-event"))
        #expect(event.eventSource == "aws:rmq")
        #expect(event.eventSourceArn.hasPrefix("arn:aws:mq:us-west-2:112556298976:broker:test"))
        let message = try #require(event.rmqMessagesByQueue["test::/"]?.first)
        #expect(event.messages.count == 1)
        #expect(message.redelivered == false)
        #expect(message.basicProperties.contentType == "text/plain")
        #expect(message.basicProperties.contentEncoding == nil)
        #expect(message.basicProperties.headers?["header1"]?.string == "value1")
        #expect(message.basicProperties.headers?["numberInHeader"] == .integer(10))
        #expect(message.basicProperties.priority == 34)
        #expect(message.basicProperties.expiration == "60000")
        #expect(message.basicProperties.timestamp == "Jan 1, 1970, 12:33:41 AM")
        #expect(message.basicProperties.bodySize == 80)
        let body = try #require(Data(base64Encoded: message.data))
        #expect(String(decoding: body, as: UTF8.self) == #"{"timeout":0,"data":"CZrmf0Gw8Ov4bqLQxD4E"}"#)
    }

    @Test func rabbitMQEventKeepsLambdasNullsAndShape() throws {
        let sample = try Self.payload("rabbitmq-event")
        let event = try JSONDecoder().decode(RabbitMQEvent.self, from: sample)
        let encoded = try JSONEncoder().encode(event)
        // The same JSON tree as AWS's sample, explicit nulls included.
        let a = try JSONSerialization.jsonObject(with: sample) as? NSDictionary
        let b = try JSONSerialization.jsonObject(with: encoded) as? NSDictionary
        #expect(a == b)
    }

    @Test func parsesInvocationMetadataFromHeaders() throws {
        let metadata = try InvocationMetadata(headers: [
            (name: "lambda-runtime-aws-request-id", value: "8476a536-e9f4-11e8-9739-2dfe598c3fcd"),
            (name: "Lambda-Runtime-Deadline-Ms", value: "1542409706888"),
            (name: "Lambda-Runtime-Invoked-Function-Arn", value: "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime"),
            (name: "Lambda-Runtime-Trace-Id", value: "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419"),
        ])
        #expect(metadata.requestID == "8476a536-e9f4-11e8-9739-2dfe598c3fcd")
        #expect(metadata.deadlineMs == 1_542_409_706_888)
        #expect(metadata.invokedFunctionARN == "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime")
        #expect(metadata.traceID?.hasPrefix("Root=1-5bef4de7") == true)
    }

    @Test func refusesInvocationWithoutRequestIDOrDeadline() {
        #expect(throws: RuntimeError.self) { try InvocationMetadata(headers: [(name: "Lambda-Runtime-Deadline-Ms", value: "1")]) }
        #expect(throws: RuntimeError.self) { try InvocationMetadata(headers: [(name: "Lambda-Runtime-Aws-Request-Id", value: "x")]) }
        #expect(throws: RuntimeError.self) {
            try InvocationMetadata(headers: [(name: "Lambda-Runtime-Aws-Request-Id", value: "x"), (name: "Lambda-Runtime-Deadline-Ms", value: "soon")])
        }
    }
}
