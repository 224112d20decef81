import Foundation
import FunctionRuntime
import Functions
import Testing
import Yams

/// infra/template.yaml (AWS SAM) and the table of functions describe the same functions: same handler names,
/// timeouts, memory, HTTP routes and queue triggers. A function added to one and not the other fails here.
@Suite struct TemplateSyncTests {
    struct DeployedFunction: Equatable, CustomStringConvertible {
        var handler: String
        var timeout: Int?
        var memory: Int?
        var routes: Set<HTTPRoute>
        var queues: Set<String>
        var schedules: Set<String>
        var description: String { "\(handler) timeout=\(timeout ?? -1) memory=\(memory ?? -1) routes=\(routes.sorted { $0.description < $1.description }) queues=\(queues.sorted()) schedules=\(schedules.sorted())" }
    }

    static var templateURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("infra/template.yaml")
    }

    /// The Serverless functions of the template, keyed by handler name.
    static func deployedFunctions() throws -> [String: DeployedFunction] {
        let text = try String(contentsOf: templateURL, encoding: .utf8)
        let root = try #require(try Yams.compose(yaml: text))
        let resources = try #require(root["Resources"]?.mapping)
        var functions: [String: DeployedFunction] = [:]
        for (_, resource) in resources {
            guard resource["Type"]?.string == "AWS::Serverless::Function", let properties = resource["Properties"] else { continue }
            let handler = try #require(properties["Handler"]?.string)
            var routes = Set<HTTPRoute>()
            var queues = Set<String>()
            var schedules = Set<String>()
            for (_, event) in properties["Events"]?.mapping ?? [:] {
                let eventProperties = event["Properties"]
                switch event["Type"]?.string {
                case "HttpApi":
                    routes.insert(HTTPRoute(eventProperties?["Method"]?.string ?? "", eventProperties?["Path"]?.string ?? ""))
                case "MQ":
                    for queue in eventProperties?["Queues"]?.sequence ?? [] { queues.insert(queue.string ?? "") }
                    #expect(eventProperties?["BatchSize"]?.int == 1, "queue functions take one message per invocation")
                case "Schedule":
                    schedules.insert(eventProperties?["Schedule"]?.string ?? "")
                default:
                    Issue.record("unexpected event type in \(handler)")
                }
            }
            functions[handler] = DeployedFunction(
                handler: handler, timeout: properties["Timeout"]?.int, memory: properties["MemorySize"]?.int,
                routes: routes, queues: queues, schedules: schedules
            )
        }
        return functions
    }

    @Test func templateAndTableDescribeTheSameFunctions() throws {
        let deployed = try Self.deployedFunctions()
        let table = Dictionary(uniqueKeysWithValues: functionTable.descriptions.map { d in
            (d.name, DeployedFunction(
                handler: d.name, timeout: d.timeoutSeconds, memory: d.memoryMB, routes: Set(d.routes),
                queues: d.queue.map { [$0.queue] } ?? [], schedules: d.schedule.map { [$0.expression] } ?? []
            ))
        })
        #expect(Set(deployed.keys) == Set(table.keys), "functions in only one of template.yaml and the table")
        for (name, expected) in table {
            #expect(deployed[name] == expected)
        }
    }

    /// API Gateway's CORS configuration (when origins are given) is local-runtime's: the same methods, headers
    /// and max age (`GatewayCORS`).
    @Test func theTemplatesCORSIsTheGatewaysPolicy() throws {
        let text = try String(contentsOf: Self.templateURL, encoding: .utf8)
        let root = try #require(try Yams.compose(yaml: text))
        let cors = try #require(root["Resources"]?["HttpApi"]?["Properties"]?["CorsConfiguration"])
        #expect(cors.tag.description == "!If")
        let branches = try #require(cors.sequence)
        #expect(branches.first?.string == "HasCorsOrigins")
        let policy = try #require(branches.count == 3 ? branches[1] : nil)
        func list(_ key: String) -> [String] { policy[key]?.sequence?.compactMap(\.string) ?? [] }
        #expect(list("AllowMethods") == GatewayCORS.allowMethods)
        #expect(list("AllowHeaders") == GatewayCORS.allowHeaders)
        #expect(list("ExposeHeaders") == GatewayCORS.exposeHeaders)
        #expect(policy["MaxAge"]?.int == GatewayCORS.maxAgeSeconds)
    }

    /// Every GET route answers HEAD, in the table and so in the template.
    @Test func everyGETRouteHasItsHEAD() {
        let routes = Set(functionTable.descriptions.flatMap(\.routes))
        for route in routes where route.method == "GET" {
            #expect(routes.contains(HTTPRoute("HEAD", route.path)), "\(route)")
        }
        #expect(routes.contains(.fallback))
    }

    @Test func everyRouteBelongsToOneFunction() {
        let routes = functionTable.descriptions.flatMap(\.routes)
        #expect(Set(routes).count == routes.count)
    }
}
