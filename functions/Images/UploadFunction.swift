import FunctionRuntime

/// `POST /images` (multipart or raw body) and `POST /images/upload` (base64 JSON): 201 with the `Image` and
/// its `Location`.
struct UploadFunction: APIFunction {
    let service: ImageService

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await service.accounts.currentUser(request)
        let upload = try Upload.read(request, base64JSON: request.rawPath.hasSuffix("/upload"))
        let image = try await service.storeOriginal(bytes: upload.bytes, filename: upload.filename, owner: user.id)
        return .json(ImageJSON(image), status: 201, headers: ["location": "/images/\(image.id.uuidString.lowercased())"])
    }
}
