import FunctionRuntime

/// `DELETE /images/{id}`: 204; the image, its variants and their stored bytes are gone. Rows go first (in one
/// transaction); objects whose removal fails are left for the orphan sweep, never the other way round.
struct DeleteImageFunction: APIFunction {
    let service: ImageService
    /// Who is asking: the bearer token\'s user.
    let accounts: AccountService

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .scope(.imagesWrite))
        let image = try await service.image(request.pathParameters?["id"], of: user.id)
        guard let keys = try await service.images.delete(image.id, owner: user.id) else {
            throw APIError(.notFound, "no such image")
        }
        await service.cachePurges?.queuePurge(of: image.id, logger: context.logger)
        for key in keys {
            do {
                try await service.store.deleteObject(key: key)
            } catch {
                context.logger.warning("object left for the sweep", metadata: ["object.key": "\(key)"])
            }
        }
        return APIGatewayV2Response(statusCode: 204)
    }
}
