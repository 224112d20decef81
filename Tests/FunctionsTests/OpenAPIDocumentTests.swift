import Foundation
import FunctionRuntime
import Testing

@testable import Functions

/// The served OpenAPI document and the table of functions describe the same routes: every HTTP route of the
/// table is an operation of the document (a HEAD is its GET's), every operation is a route of the table, and
/// every operation names its answers, each a documented status with a content or none. `OpenAPIConformanceTests`
/// checks real responses against the same document.
@Suite struct OpenAPIDocumentTests {
    static func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
    }

    static func operations() throws -> Set<HTTPRoute> {
        let paths = try #require(try document()["paths"] as? [String: [String: Any]])
        let methods: Set = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        return Set(paths.flatMap { path, item in item.keys.filter(methods.contains).map { HTTPRoute($0.uppercased(), path) } })
    }

    @Test func everyRouteOfTheTableIsDocumented() throws {
        let operations = try Self.operations()
        let routes = Set(functionTable.descriptions.flatMap(\.routes)).subtracting([.fallback])
        for route in routes {
            let documented = route.method == "HEAD" ? HTTPRoute("GET", route.path) : route
            #expect(operations.contains(documented), "\(route) has no operation in openapi.json")
        }
        for operation in operations {
            #expect(routes.contains(operation), "openapi.json documents \(operation), which no function serves")
        }
    }

    @Test func everyOperationHasAnIDAndDocumentedAnswers() throws {
        let paths = try #require(try Self.document()["paths"] as? [String: [String: Any]])
        var ids: [String] = []
        for (path, item) in paths {
            for (method, value) in item {
                guard let operation = value as? [String: Any] else { continue }
                let name = "\(method.uppercased()) \(path)"
                let id = try #require(operation["operationId"] as? String, "\(name) has no operationId")
                ids.append(id)
                let responses = try #require(operation["responses"] as? [String: Any], "\(name) has no responses")
                #expect(!responses.isEmpty)
                for (status, response) in responses {
                    #expect(Int(status).map { (100...599).contains($0) } == true, "\(name): status \(status)")
                    let body = try #require(response as? [String: Any])
                    #expect(body["$ref"] != nil || body["description"] != nil, "\(name) \(status) has no description")
                    // Image answers name their media types, so generators read them as bytes.
                    let content = body["content"] as? [String: Any] ?? [:]
                    #expect(!content.keys.contains("image/*"), "\(name) \(status): name the image types, not image/*")
                }
            }
        }
        #expect(Set(ids).count == ids.count, "operationIds must be unique")
    }

    /// Generators name a pipeline's steps after the schemas they reference: `CropStep`, not `Type0`.
    @Test func pipelineStepsHaveNames() throws {
        let schemas = try #require((try Self.document()["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let transformations = try #require(schemas["Transformations"] as? [String: Any])
        let pipeline = try #require((transformations["properties"] as? [String: Any])?["pipeline"] as? [String: Any])
        let steps = try #require((pipeline["items"] as? [String: Any])?["oneOf"] as? [[String: Any]])
        let names = steps.compactMap { ($0["$ref"] as? String)?.split(separator: "/").last.map(String.init) }
        #expect(names == ["CropStep", "ResizeStep", "RotateStep", "FlipStep", "MirrorStep", "FiltersStep", "WatermarkStep"])
        for name in names { #expect(schemas[name] != nil, "\(name) is referenced but not defined") }
    }
}
