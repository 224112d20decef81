import Foundation
import FunctionRuntime
import Imaging
import Storage

/// `GET /images/{id}/t/{options}`: a transformed image by URL, as an `<img src>` uses it. The options
/// (`w_800,fmt_webp`, README "Transformations by URL") parse into the same normalized spec as
/// `POST /images/{id}/transform`, so both name the same variant. A ready variant is served (or redirected
/// when large); a missing one is made within the request (`VariantOnDemand`) and served; one being made
/// elsewhere is waited for until 2 s before the deadline, then answered 202 like `GET /images/{id}`.
///
/// Authentication is the bearer token, or a signed URL (`URLSigner`) which needs no header. New work costs a
/// unit of the transforms rate limit; a variant that exists costs nothing.
struct URLTransformFunction: APIFunction {
    let service: ImageService
    /// Who is asking: the bearer token\'s user.
    let accounts: AccountService
    let onDemand: VariantOnDemand
    let signer: URLSigner
    let limiter: RateLimiter
    let policy: RateLimitPolicy

    init(environment: FunctionEnvironment) async throws {
        service = try await ImageService(environment: environment)
        accounts = try await AccountService(environment: environment)
        onDemand = VariantOnDemand(service: service)
        signer = try URLSigner(configuration: environment.configuration)
        limiter = try RateLimiter(environment: environment)
        policy = environment.configuration.rateLimits.transforms
    }

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let options = Self.rawOptions(request)
        let query = request.queryStringParameters ?? [:]
        try Self.refuseUnknownParameters(query)
        guard let idText = request.pathParameters?["id"], let id = UUID(pathID: idText) else {
            throw APIError(.notFound, "no such image")
        }
        let display = try Self.display(query)
        let caller = try await self.caller(request, image: id, options: options, query: query, display: display)
        let forceRedirect = try ObjectRedirect.forced(request)
        func serve(_ variant: ImageRecord, headers: [String: String]) async throws -> APIGatewayV2Response {
            try await ImageBytesResponse.serve(
                variant, request: request, service: service, forceRedirect: forceRedirect, cacheControl: caller.cacheControl,
                extraHeaders: headers.merging(["content-location": "/images/\(variant.id.uuidString.lowercased())"]) { $1 },
                context: context
            )
        }

        // The common case first: this exact spec was made before. One query, scoped to the token's user (or
        // the signed source): no user read, no source read, no validation (a variant exists only for a spec
        // that was valid for its source). Anything else takes the full path below, 401s included.
        var lookedUp: (hash: String, variant: ImageRecord?)?
        if caller.signed || caller.owner != nil, let spec = try? TransformationParsing.parse(urlOptions: options), spec.isResolved {
            let hash = display ? DisplayRendition.specHash(spec) : spec.hash
            lookedUp = (hash, try await existingVariant(of: id, specHash: hash, owner: caller.owner))
        }
        if let existing = lookedUp?.variant, existing.status == .ready {
            InvocationRecord.noteUser(existing.ownerID.uuidString.lowercased())
            return try await serve(existing, headers: [:])
        }

        let source = try await self.source(id, idText: idText, of: caller, request: request)
        InvocationRecord.noteUser(source.ownerID.uuidString.lowercased())
        if let notReady = try ImageBytesResponse.unlessReady(source) { return notReady }
        guard let sourceFormat = ImageFormat(rawValue: source.format) else { throw APIError(.notFound, "no such image") }
        let requested = try SourceSpec.of(urlOptions: options, for: source, sourceFormat: sourceFormat)
        let spec = SourceSpec.resolved(requested, for: source, sourceFormat: sourceFormat, accept: request.header("accept"))
        // fmt_auto answers depend on Accept: caches must keep one answer per Accept.
        let vary = requested.autoFormat ? ["vary": "Accept"] : [:]
        // fmt_auto resolved to the source's format with nothing else to change: the source is the answer.
        if spec.isEmpty { return try await serve(source, headers: vary) }

        var limitHeaders: [String: String] = [:]
        // The lookup above stands when it was of the same hash (normalization for the source changed nothing).
        let hash = display ? DisplayRendition.specHash(spec) : spec.hash
        let known: ImageRecord?? = lookedUp.flatMap { $0.hash == hash ? .some($0.variant) : nil }
        let (variant, _) = try await onDemand.variant(
            spec, of: source, sourceFormat: sourceFormat, waitLimit: WaitPreference.waitLimit(WaitPreference.maxWaitSeconds, context: context),
            logger: context.logger, lookedUp: known, display: display
        ) {
            // A display rendition is the service's own: it costs the user nothing.
            guard !display else { return }
            limitHeaders = try await limiter.admit(policy, subject: source.ownerID.uuidString.lowercased(), context: context)
        }
        if variant.status == .failed, variant.errorCode == APIError.Code.quotaExceeded.rawValue {
            // Refused for the quota: the client is told so, and the attempt costs no allowance.
            if !limitHeaders.isEmpty { await limiter.refund(policy, subject: source.ownerID.uuidString.lowercased()) }
            throw APIError(.quotaExceeded, variant.errorMessage ?? "this variant would pass your storage quota", headers: limitHeaders)
        }
        if var notReady = try ImageBytesResponse.unlessReady(variant) {
            let headers = limitHeaders.merging(vary) { $1 }.merging(["content-location": "/images/\(variant.id.uuidString.lowercased())"]) { $1 }
            notReady.headers = (notReady.headers ?? [:]).merging(headers) { $1 }
            return notReady
        }
        return try await serve(variant, headers: limitHeaders.merging(vary) { $1 })
    }

    /// Who asks. A valid signature stands for the source's owner, whoever that is, and lets shared caches keep
    /// the answer until the URL expires; without one, the token's user, if any (a missing or bad token is the
    /// 401 of the full path, not of the fast one).
    struct Caller {
        var signed: Bool
        var owner: UUID?
        var cacheControl: String
    }

    func caller(_ request: APIGatewayV2Request, image id: UUID, options: String, query: [String: String], display: Bool = false) async throws -> Caller {
        guard query["signature"] != nil || query["expires"] != nil else {
            if display { throw APIError(.invalidSignature, "a display rendition is served by the signed URL the image's answers carry") }
            return Caller(signed: false, owner: await accounts.tokenUserID(request), cacheControl: "private, max-age=31536000, immutable")
        }
        try signer.verify(path: URLSigner.path(image: id, options: options), expires: query["expires"], signature: query["signature"], display: display)
        let left = max(0, Int(query["expires"].flatMap(Double.init).map { $0 - Date().timeIntervalSince1970 } ?? 0))
        return Caller(signed: true, owner: nil, cacheControl: "public, max-age=\(min(left, 31_536_000))")
    }

    /// The source image: the signed one, or the token user's own (404 for anyone else's).
    func source(_ id: UUID, idText: String, of caller: Caller, request: APIGatewayV2Request) async throws -> ImageRecord {
        if caller.signed {
            guard let image = try await service.images.find(id) else { throw APIError(.notFound, "no such image") }
            return image
        }
        // A verified token's user owns the image found for it, so the user exists (their images go with them):
        // no read of the user. Without a valid token, `currentUser` answers the 401.
        if let owner = caller.owner { return try await service.image(idText, of: owner) }
        let user = try await accounts.currentUser(request, access: .scope(.transform))
        return try await service.image(idText, of: user.id)
    }

    /// Every option is in the path: a query parameter this route does not take would otherwise be ignored
    /// silently (`?format=png` answering a JPEG).
    static func refuseUnknownParameters(_ query: [String: String]) throws(APIError) {
        let unknown = query.keys.filter { !queryParameters.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw APIError.validation(unknown.map {
                .init(field: $0, message: "is not a parameter of this route, which takes \(queryParameters.sorted().joined(separator: ", ")); transformations are options in the path (fmt_png, w_400)")
            })
        }
    }

    /// The query parameters of this route: a signed URL's two and the redirect choice.
    static let queryParameters: Set<String> = ["expires", "signature", "redirect", "display"]

    /// `display=1`: a display rendition (`DisplayRendition`), which only a signed URL names.
    static func display(_ query: [String: String]) throws(APIError) -> Bool {
        switch query["display"] {
        case nil: return false
        case "1"?: return true
        case _?: throw APIError.validation([.init(field: "display", message: "must be 1, as the signed URL that carries it says")])
        }
    }

    /// The variant of `source` with this spec hash: the owner's, or (signed) whoever's.
    func existingVariant(of source: UUID, specHash: String, owner: UUID?) async throws -> ImageRecord? {
        try await InvocationRecord.stage("sql.variant") {
            if let owner { return try await service.images.variant(of: source, specHash: specHash, owner: owner) }
            return try await service.images.variant(of: source, specHash: specHash)
        }
    }

    /// The options segment as sent, still percent-encoded: the path's last segment. (API Gateway decodes path
    /// parameters, which would turn a watermark's `%2C` into a separator.)
    static func rawOptions(_ request: APIGatewayV2Request) -> String {
        request.rawPath.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init)
            ?? request.pathParameters?["options"] ?? ""
    }
}
