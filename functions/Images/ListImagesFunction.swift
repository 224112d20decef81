import Foundation
import FunctionRuntime

/// `GET /images` (the caller's originals) and `GET /images/{id}/variants`: newest first, by `page` and `limit`
/// or `skip` and `limit`; `q` searches filenames.
struct ListImagesFunction: APIFunction {
    let service: ImageService
    /// Who is asking: the bearer token\'s user.
    let accounts: AccountService
    let variants: Bool
    /// Signs the display renditions' URLs of the originals listed.
    let signer: URLSigner

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .scope(.imagesRead))
        let query = request.queryStringParameters ?? [:]
        let paging = try Paging(query)
        let search = query["q"].flatMap { $0.isEmpty ? nil : $0 }

        var source: UUID? = nil
        if variants { source = try await service.image(request.pathParameters?["id"], of: user.id).id }
        // PostgreSQL text cannot hold NUL, and display names never contain control characters: such a search
        // matches nothing, without asking the database (which would refuse the parameter).
        if search?.unicodeScalars.contains("\u{0}") == true {
            return .json(PageJSON([ImageJSON](), total: 0, paging: paging))
        }
        let (images, total) = try await service.images.list(owner: user.id, variantsOf: source, search: search, limit: paging.limit, offset: paging.skip)
        let now = Date()
        return .json(PageJSON(images.map { ImageJSON($0, displayURLsSignedBy: signer, now: now) }, total: total, paging: paging))
    }
}
