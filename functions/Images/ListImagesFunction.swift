import Foundation
import FunctionRuntime

/// `GET /images` (the caller's originals) and `GET /images/{id}/variants`: newest first, by `page` and `limit`
/// or `skip` and `limit`; `q` searches filenames.
struct ListImagesFunction: APIFunction {
    let service: ImageService
    let variants: Bool

    struct Page: Encodable {
        var items: [ImageJSON]
        var total: Int
        var page: Int
        var limit: Int
        var skip: Int
    }

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await service.accounts.currentUser(request)
        let query = request.queryStringParameters ?? [:]
        let paging = try Paging(query)
        let (limit, skip) = (paging.limit, paging.skip)
        let search = query["q"].flatMap { $0.isEmpty ? nil : $0 }

        var source: UUID? = nil
        if variants { source = try await service.image(request.pathParameters?["id"], of: user.id).id }
        // PostgreSQL text cannot hold NUL, and display names never contain control characters: such a search
        // matches nothing, without asking the database (which would refuse the parameter).
        if search?.unicodeScalars.contains("\u{0}") == true {
            return .json(Page(items: [], total: 0, page: paging.page, limit: limit, skip: skip))
        }
        let (images, total) = try await storage {
            try await service.images.list(owner: user.id, variantsOf: source, search: search, limit: limit, offset: skip)
        }
        return .json(Page(items: images.map(ImageJSON.init), total: total, page: paging.page, limit: limit, skip: skip))
    }
}
