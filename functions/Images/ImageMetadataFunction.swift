import FunctionRuntime

/// `GET /images/{id}/metadata`: the `Image`.
struct ImageMetadataFunction: APIFunction {
    let service: ImageService

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await service.accounts.currentUser(request)
        return .json(ImageJSON(try await service.image(request.pathParameters?["id"], of: user.id)))
    }
}
