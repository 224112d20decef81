/// The OpenAPI 3.1 document of every route, served at `GET /openapi.json`. It is a data file,
/// `functions/OpenAPI/openapi.json`, compiled into the binary. Kept true by `OpenAPIDocumentTests` (every route
/// of the function table has its operation, and no operation is without a route) and by
/// `OpenAPIConformanceTests`, which validates it and checks real responses against its schemas; CI also uses
/// the API through a client generated from it (`infra/dev/contract-check`).
enum OpenAPIDocument {
    static let json = String(decoding: PackageResources.openapi_json, as: UTF8.self)
}
