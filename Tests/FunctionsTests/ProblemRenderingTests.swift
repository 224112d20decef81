import Foundation
import FunctionRuntime
import Imaging
import Logging
import Messaging
import Storage
import Testing

@testable import Functions

/// Each module's errors are answered in one place (`APIFunctionAdapter`), as their `ProblemRendering` says:
/// the stable code, its status and a safe message; what a library or server said stays out of the answer.
@Suite struct ProblemRenderingTests {
    /// A function that throws what it is given.
    struct Throwing: APIFunction {
        let error: any Error
        func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response { throw error }
    }

    struct Foreign: Error, CustomStringConvertible {
        var description: String { "FATAL: password authentication failed for user \"secret-user\"" }
    }

    /// Waits until cancelled, as a function blocked on a dependency that does not answer does.
    struct Hanging: APIFunction {
        func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
            try await Task.sleep(for: .seconds(30))
            return APIGatewayV2Response(statusCode: 200)
        }
    }

    /// The answer of the adapter when the function throws `error`, and its problem document.
    func answer(_ error: any Error) async throws -> (APIGatewayV2Response, [String: Any]) {
        try await answer(from: Throwing(error: error), deadlineIn: 10_000)
    }

    func answer(from function: some APIFunction, deadlineIn milliseconds: Int64) async throws -> (APIGatewayV2Response, [String: Any]) {
        let context = InvocationContext(
            metadata: .init(requestID: "r", deadlineMs: Int64(Date().timeIntervalSince1970 * 1000) + milliseconds),
            functionName: "test", logger: { var logger = Logger(label: "test"); logger.logLevel = .critical; return logger }()
        )
        let response = try await APIFunctionAdapter(function: function).handle(HTTPSemanticsTests.request("GET"), context: context)
        #expect(response.headers?["content-type"] == "application/problem+json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data((response.body ?? "").utf8)) as? [String: Any])
        #expect(!(response.body ?? "").contains("secret-user"), "a foreign error's text reached the answer")
        return (response, body)
    }

    @Test func storageAndBrokerFailuresAre503WithRetryAfter() async throws {
        for error: any Error in [
            StorageError(.unavailable, "the database could not be read", underlying: Foreign()),
            StorageError(.objectStoreRejected, "storing an object answered 500"),
            MessagingError(.unavailable, "the broker closed the connection"),
        ] {
            let (response, body) = try await answer(error)
            #expect(response.statusCode == 503)
            #expect(body["code"] as? String == "unavailable")
            #expect(response.headers?["retry-after"] == "5")
            #expect(body["detail"] as? String == "the service is unavailable; try again shortly")
        }
    }

    @Test(arguments: [
        (ImagingError.Code.emptyImage, 400, "bad_request"), (.unsupportedFormat, 415, "unsupported_format"),
        (.payloadTooLarge, 413, "payload_too_large"), (.imageTooLarge, 422, "image_too_large"),
        (.corruptImage, 422, "corrupt_image"), (.invalidTransformation, 422, "invalid_transformation"),
    ])
    func imagingRefusalsKeepTheirMessage(_ code: ImagingError.Code, _ status: Int, _ apiCode: String) async throws {
        let (response, body) = try await answer(ImagingError(code, "what the client may read", detail: "vips: secret-user"))
        #expect(response.statusCode == status)
        #expect(body["code"] as? String == apiCode)
        #expect(body["detail"] as? String == "what the client may read")
    }

    @Test func aFailureOfTheImagingItselfIsA500WithoutItsDetail() async throws {
        let (response, body) = try await answer(ImagingError(.transformationFailed, "the image could not be resized", detail: "secret-user"))
        #expect(response.statusCode == 500)
        #expect(body["code"] as? String == "internal_error")
        #expect(body["detail"] as? String == "the image could not be processed")
    }

    @Test func transformationErrorsListEveryField() async throws {
        let errors = TransformationErrors(SpecValidationError([.init(.step(1, ["crop"]), "does not fit"), .init(.field(["resize", "width"]), "too big")]), in: .url)
        let (response, body) = try await answer(errors)
        #expect(response.statusCode == 422)
        #expect(body["code"] as? String == "invalid_transformation")
        let fields = (body["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
        #expect(fields == ["options[1].crop", "options.w"])
    }

    /// A function still waiting on a dependency 1.5 s before its deadline answers 503 with Retry-After, which
    /// the contract promises for an unavailable service, instead of running into the function's timeout.
    @Test func aFunctionPastItsBudgetAnswers503() async throws {
        let (response, body) = try await answer(from: Hanging(), deadlineIn: 3_000)
        #expect(response.statusCode == 503)
        #expect(body["code"] as? String == "unavailable")
        #expect(response.headers?["retry-after"] == "5")
    }

    @Test func anythingElseIsAGeneric500() async throws {
        let (response, body) = try await answer(Foreign())
        #expect(response.statusCode == 500)
        #expect(body["code"] as? String == "internal_error")
        #expect(body["detail"] as? String == "the request could not be completed")
    }

    @Test func bothGrammarsNameEveryKindOfPlace() {
        let places: [(FieldPath, String, String)] = [
            (.request(nil), "", "options"), (.request("extra"), "extra", "options"), (.field([]), "transformations", "options"),
            (.field(["resize", "width"]), "transformations.resize.width", "options.w"),
            (.field(["resize"]), "transformations.resize", "options.fit"), (.field(["watermark", "text"]), "transformations.watermark.text", "options.wm"),
            (.field(["animated"]), "transformations.animated", "options.still"), (.pipeline, "transformations.pipeline", "options"),
            (.step(2, []), "transformations.pipeline[2]", "options[2]"), (.step(0, ["crop"]), "transformations.pipeline[0].crop", "options[0].crop"),
            (.step(3, ["filters", "blur"]), "transformations.pipeline[3].filters.blur", "options[3].blur"),
        ]
        for (path, json, url) in places {
            #expect(TransformationGrammar.json.name(path) == json)
            #expect(TransformationGrammar.url.name(path) == url)
        }
    }
}
