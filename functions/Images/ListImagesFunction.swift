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
        var errors: [Problem.FieldError] = []
        func integer(_ key: String) -> Int? {
            guard let text = query[key] else { return nil }
            guard let value = Int(text) else { errors.append(.init(field: key, message: "must be a whole number")); return nil }
            return value
        }
        var limit = integer("limit") ?? 10
        if limit < 1 { errors.append(.init(field: "limit", message: "must be at least 1")) }
        limit = min(limit, 100)
        let page = integer("page")
        let skipValue = integer("skip")
        if let page, page < 1 { errors.append(.init(field: "page", message: "must be at least 1")) }
        if let skipValue, skipValue < 0 { errors.append(.init(field: "skip", message: "must be at least 0")) }
        if page != nil, skipValue != nil { errors.append(.init(field: "skip", message: "give page or skip, not both")) }
        guard errors.isEmpty else { throw APIError.validation(errors) }
        let skip = skipValue ?? ((page ?? 1) - 1) * limit
        let search = query["q"].flatMap { $0.isEmpty ? nil : $0 }

        var source: UUID? = nil
        if variants { source = try await service.image(request.pathParameters?["id"], of: user.id).id }
        // PostgreSQL text cannot hold NUL, and display names never contain control characters: such a search
        // matches nothing, without asking the database (which would refuse the parameter).
        if search?.unicodeScalars.contains("\u{0}") == true {
            return .json(Page(items: [], total: 0, page: skip / limit + 1, limit: limit, skip: skip))
        }
        let (images, total) = try await storage {
            try await service.images.list(owner: user.id, variantsOf: source, search: search, limit: limit, offset: skip)
        }
        return .json(Page(items: images.map(ImageJSON.init), total: total, page: skip / limit + 1, limit: limit, skip: skip))
    }
}
