import FunctionRuntime

/// `GET /` and `GET /gallery/{file}`: the gallery, a small web app of plain HTML, CSS and JavaScript modules
/// (`functions/Gallery/static`, compiled into the binary) that uses the API from the browser.
///
/// The files are the same for everyone and change only with a deploy: shared caches (the cache tier, CloudFront)
/// and browsers may keep them for a minute (`public, max-age=60`), then revalidate by their content `ETag`, so
/// a deploy shows within a minute. The page runs only
/// its own scripts (`script-src 'self'`, no inline code); images are shown from blob URLs because the API
/// wants a bearer header that `<img src>` cannot send; `connect-src` stays open because presigned uploads
/// and downloads go to the object store's own origin, which this function does not know.
struct GalleryFunction: APIFunction {
    static let securityHeaders = [
        "content-security-policy":
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src *; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "cache-control": "public, max-age=60",
    ]

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let name = request.pathParameters?["file"] ?? "index.html"
        guard let file = GalleryFiles.file(named: name) else {
            throw APIError(.notFound, "no such file in the gallery")
        }
        var headers = Self.securityHeaders
        headers["content-type"] = file.contentType
        headers["etag"] = file.etag
        if let match = request.header("if-none-match"), EntityTag.matches(ifNoneMatch: match, file.etag) {
            return APIGatewayV2Response(statusCode: 304, headers: headers)
        }
        return APIGatewayV2Response(statusCode: 200, headers: headers, body: file.text)
    }
}
