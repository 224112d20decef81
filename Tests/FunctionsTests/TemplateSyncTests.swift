import Foundation
import FunctionRuntime
import Functions
import Testing
import Yams

/// infra/template.yaml (AWS SAM) and the table of functions describe the same functions: same handler names,
/// timeouts, memory, HTTP routes, invoke modes and queue triggers. A function added to one and not the other
/// fails here. A streamed function's routes are reached through CloudFront and its function URL, not the HTTP
/// API: the edge router's table is checked against every route instead.
@Suite struct TemplateSyncTests {
    struct DeployedFunction: Equatable, CustomStringConvertible {
        var handler: String
        var timeout: Int?
        var memory: Int?
        var routes: Set<HTTPRoute>
        var queues: Set<String>
        var schedules: Set<String>
        var invokeMode: InvokeMode
        var description: String { "\(handler) timeout=\(timeout ?? -1) memory=\(memory ?? -1) routes=\(routes.sorted { $0.description < $1.description }) queues=\(queues.sorted()) schedules=\(schedules.sorted()) invokeMode=\(invokeMode)" }
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
            let invokeMode = properties["FunctionUrlConfig"]?["InvokeMode"]?.string.flatMap(InvokeMode.init) ?? .buffered
            functions[handler] = DeployedFunction(
                handler: handler, timeout: properties["Timeout"]?.int, memory: properties["MemorySize"]?.int,
                routes: routes, queues: queues, schedules: schedules, invokeMode: invokeMode
            )
        }
        return functions
    }

    @Test func templateAndTableDescribeTheSameFunctions() throws {
        let deployed = try Self.deployedFunctions()
        let table = Dictionary(uniqueKeysWithValues: functionTable.descriptions.map { d in
            (d.name, DeployedFunction(
                handler: d.name, timeout: d.timeoutSeconds, memory: d.memoryMB,
                routes: d.invokeMode == .buffered ? Set(d.routes) : [],
                queues: d.queue.map { [$0.queue] } ?? [], schedules: d.schedule.map { [$0.expression] } ?? [],
                invokeMode: d.invokeMode
            ))
        })
        #expect(Set(deployed.keys) == Set(table.keys), "functions in only one of template.yaml and the table")
        for (name, expected) in table {
            #expect(deployed[name] == expected)
        }
    }

    /// The edge router's rules (`[methods, path regex, origin id]`) from the CloudFront function's code.
    static func edgeRoutes() throws -> [(methods: String, path: String, origin: String)] {
        let root = try #require(try Yams.compose(yaml: try String(contentsOf: templateURL, encoding: .utf8)))
        let code = try #require(root["Resources"]?["EdgeRouter"]?["Properties"]?["FunctionCode"]?.string)
        let rule = try NSRegularExpression(pattern: #"\["([A-Z|]+)", "([^"]+)", "([a-z-]+)"\]"#)
        return rule.matches(in: code, range: NSRange(code.startIndex..., in: code)).map { match in
            func group(_ i: Int) -> String { String(code[Range(match.range(at: i), in: code)!]) }
            return (group(1), group(2), group(3))
        }
    }

    /// The origin the edge router sends a request to: the first rule's, else the HTTP API's.
    static func origin(method: String, path: String, rules: [(methods: String, path: String, origin: String)]) throws -> String {
        for rule in rules {
            let methods = try NSRegularExpression(pattern: "^(\(rule.methods))$")
            let paths = try NSRegularExpression(pattern: rule.path)
            if methods.firstMatch(in: method, range: NSRange(method.startIndex..., in: method)) != nil,
               paths.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil {
                return rule.origin
            }
        }
        return "api"
    }

    /// Every route of the table, with its parameters filled in, reaches its function in AWS: a streamed
    /// function's through CloudFront to the origin named after it (its function URL), any other through the
    /// HTTP API. Literal paths a parameter could also match (`GET /images/uploads`, a POST-only path) stay with
    /// the API, which answers 405 as local-runtime does.
    @Test func cloudFrontRoutesEveryRouteToItsFunction() throws {
        let rules = try Self.edgeRoutes()
        #expect(!rules.isEmpty)
        let root = try #require(try Yams.compose(yaml: try String(contentsOf: Self.templateURL, encoding: .utf8)))
        let origins = root["Resources"]?["Distribution"]?["Properties"]?["DistributionConfig"]?["Origins"]?.sequence ?? []
        let originIDs = Set(origins.compactMap { $0["Id"]?.string })
        for description in functionTable.descriptions {
            let streamed = description.invokeMode == .responseStream
            if streamed { #expect(originIDs.contains(description.name), "no CloudFront origin for \(description.name)") }
            for route in description.routes where route != .fallback {
                let path = route.path
                    .replacingOccurrences(of: "{id}", with: "0c4c2d1e-7f43-4b43-9f0a-2d3c8b8e3f11")
                    .replacingOccurrences(of: "{options}", with: "w_100,fmt_auto")
                    .replacingOccurrences(of: "{file}", with: "app.js")
                let origin = try Self.origin(method: route.method, path: path, rules: rules)
                #expect(origin == (streamed ? description.name : "api"), "\(route.method) \(path) goes to \(origin)")
            }
        }
        for literal in ["/images/uploads", "/images/upload"] {
            #expect(try Self.origin(method: "GET", path: literal, rules: rules) == "api")
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
