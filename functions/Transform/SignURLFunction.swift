import Foundation
import FunctionRuntime
import Imaging
import Storage

/// `POST /images/{id}/signed-url` `{"options": "w_800,fmt_webp", "expires_in": 3600}`: a URL of that
/// transformation of the caller's image that works without a header until it expires (`URLSigner`). The
/// options are checked as the URL would check them (a 422 naming each bad one) and written in their canonical
/// order and spelling, so equal transformations get equal URLs. Signing costs no work and no allowance.
struct SignURLFunction: APIFunction {
    let service: ImageService
    /// Who is asking: the bearer token\'s user.
    let accounts: AccountService
    let signer: URLSigner

    struct Answer: Encodable {
        var url: String
        var options: String
        var expires_at: String
    }

    init(environment: FunctionEnvironment) async throws {
        service = try await ImageService(environment: environment)
        accounts = try await AccountService(environment: environment)
        signer = try URLSigner(configuration: environment.configuration)
    }

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .scope(.sign))
        let source = try await service.image(request.pathParameters?["id"], of: user.id)
        guard case .object(let body) = try RequestBody.json(request) else {
            throw APIError(.badRequest, "the body must be a JSON object")
        }
        var errors: [Problem.FieldError] = body.keys.sorted().filter { !["options", "expires_in"].contains($0) }
            .map { .init(field: $0, message: "unknown field") }
        var options: String?
        switch body["options"] {
        case .string(let text)?: options = text
        case nil: errors.append(.init(field: "options", message: "is required"))
        case _?: errors.append(.init(field: "options", message: "must be a string such as \"w_800,fmt_webp\""))
        }
        var lifetime = URLSigner.defaultLifetimeSeconds
        switch body["expires_in"] {
        case nil: break
        case .number(let n)? where n.rounded() == n && n >= 1 && n <= Double(URLSigner.maxLifetimeSeconds): lifetime = Int(n)
        case _?: errors.append(.init(field: "expires_in", message: "must be a whole number of seconds from 1 to \(URLSigner.maxLifetimeSeconds)"))
        }
        if !errors.isEmpty { throw APIError.validation(errors) }
        guard let sourceFormat = ImageFormat(rawValue: source.format) else { throw APIError(.notFound, "no such image") }
        let spec = try SourceSpec.of(urlOptions: options ?? "", for: source, sourceFormat: sourceFormat)

        let canonical = spec.urlOptions
        let expires = Int(Date().timeIntervalSince1970) + lifetime
        let path = URLSigner.path(image: source.id, options: canonical)
        let expiresAt = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(expires)))
        return .json(Answer(url: "\(path)?\(signer.query(path: path, expires: expires))", options: canonical, expires_at: expiresAt), status: 200)
    }
}
