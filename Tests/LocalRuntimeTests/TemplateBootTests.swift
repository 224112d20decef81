import Foundation
import Testing
import NIOHTTP1
import Yams

/// Every function starts with exactly the environment `infra/template.yaml` gives it in Lambda: its
/// variables, with each placeholder resolved to the dev services the way the deployment resolves it to AWS's,
/// plus the variables Lambda itself sets (the role's credentials among them), and nothing inherited from this
/// process. Each function must reach its first `next`; none may post `/init/error`.
@Suite struct TemplateBootTests {
    static var templateURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("infra/template.yaml")
    }

    /// The template's global variables with their placeholders resolved; a placeholder not known here fails,
    /// so a variable added to the template is added to this test too.
    static func templateEnvironment(databaseURL: String, amqpURL: String, s3Endpoint: String, bucket: String) throws -> [String: String] {
        let root = try #require(try Yams.compose(yaml: try String(contentsOf: templateURL, encoding: .utf8)))
        let variables = try #require(root["Globals"]?["Function"]?["Environment"]?["Variables"]?.mapping)
        var environment: [String: String] = [:]
        for (key, node) in variables {
            let name = try #require(key.string)
            let text = try #require(node.string, "\(name) is not a scalar")
            switch (node.tag.description, text) {
            case ("tag:yaml.org,2002:str", _):
                environment[name] = text
            case ("!Sub", "{{resolve:secretsmanager:${DatabaseUrlSecretArn}}}"):
                environment[name] = databaseURL  // RDS, reached over TLS with the CA verified
            case ("!Sub", "{{resolve:secretsmanager:${AmqpUrlSecretArn}}}"):
                environment[name] = amqpURL  // Amazon MQ: amqps
            case ("!Sub", "{{resolve:secretsmanager:${JwtSecretArn}}}"):
                environment[name] = String(repeating: "s", count: 48)
            case ("!Sub", "https://s3.${AWS::Region}.amazonaws.com"):
                environment[name] = s3Endpoint
            case ("!Ref", "AWS::Region"):
                environment[name] = "us-east-1"
            case ("!Ref", "ImagesBucket"):
                environment[name] = bucket
            default:
                Issue.record("unresolved template placeholder: \(name): \(node.tag) \(text)")
            }
        }
        // The one deviation: the dev store is addressed by IP, where virtual-hosted names cannot resolve.
        #expect(environment["S3_FORCE_PATH_STYLE"] == "false")
        environment["S3_FORCE_PATH_STYLE"] = "true"
        return environment
    }

    /// What Lambda sets for a provided.al2023 function beside the template's variables (local-runtime adds
    /// _HANDLER, AWS_LAMBDA_RUNTIME_API, the function's name, memory, timeout and version).
    static func lambdaReservedVariables(accessKey: String, secret: String) -> [String: String] {
        [
            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
            // Lambda also sets AWS_SESSION_TOKEN; the dev S3 server has no STS to issue a real one and refuses a
            // made-up token, as S3 would. That the token is signed and sent is checked against botocore
            // (SigV4SignerTests) and read from the environment (ConfigurationTests).
            "AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/image-functions", "AWS_LAMBDA_LOG_STREAM_NAME": "2026/12/02/[$LATEST]0123456789abcdef",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand", "LAMBDA_TASK_ROOT": "/var/task", "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "TZ": ":UTC", "LANG": "en_US.UTF-8", "PATH": "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
            "LD_LIBRARY_PATH": "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
        ]
    }

    @Test func everyFunctionStartsWithTheTemplatesEnvironment() async throws {
        let env = ProcessInfo.processInfo.environment
        let tlsDatabase = try #require(env["DATABASE_TLS_URL"], "DATABASE_TLS_URL is not set: run the tests with infra/dev/test (IF_TLS=1)")
        let tlsBroker = try #require(env["AMQP_TLS_URL"], "AMQP_TLS_URL is not set: run the tests with infra/dev/test (IF_TLS=1)")
        try await ScratchDatabase.with { plainURL in
            var database = try #require(URLComponents(string: tlsDatabase))
            database.path = try #require(URLComponents(string: plainURL)).path
            let environment = try Self.templateEnvironment(
                databaseURL: try #require(database.string), amqpURL: tlsBroker,
                s3Endpoint: try #require(env["S3_ENDPOINT"]), bucket: env["S3_BUCKET"] ?? "images"
            ).merging(Self.lambdaReservedVariables(accessKey: env["S3_ACCESS_KEY_ID"] ?? "", secret: env["S3_SECRET_ACCESS_KEY"] ?? "")) { $1 }
            #expect(environment["APP_ENV"] == "production" && environment["S3_ACCESS_KEY_ID"] == nil)

            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"], environment: environment, workers: 1,
                consumeQueues: true, amqpURL: tlsBroker, inheritEnvironment: false
            ) { h in
                // Each function once: HTTP ones through ingress, the rest invoked as Lambda would invoke them.
                #expect(try await h.request(.GET, "/healthz").status == 200)
                #expect(try await h.request(.GET, "/readyz").status == 200)
                #expect(try await h.request(.GET, "/openapi.json").status == 200)
                #expect(try await h.request(.GET, "/").status == 200)
                let signUp = try await h.request(
                    .POST, "/register", body: Data(#"{"username":"boot","password":"boot password"}"#.utf8),
                    headers: [("Content-Type", "application/json")]
                )
                #expect(signUp.status == 201)
                let token = try #require(try signUp.json()["token"] as? String)
                let auth = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]
                let none = "00000000-0000-0000-0000-000000000000"
                let requests: [(HTTPMethod, String, String?)] = [
                    (.POST, "/login", #"{"username":"boot","password":"boot password"}"#), (.POST, "/token", #"{"username":"boot","password":"boot password"}"#),
                    (.POST, "/users", #"{"email":"b@example.com","plain_password":"boot password"}"#), (.GET, "/users/me", nil),
                    (.POST, "/images", nil), (.POST, "/images/uploads", #"{"size_bytes":10}"#),
                    (.POST, "/images/uploads/\(none)/complete", nil), (.GET, "/images/\(none)", nil), (.GET, "/images/\(none)/metadata", nil),
                    (.GET, "/images", nil), (.GET, "/images/\(none)/variants", nil), (.DELETE, "/images/\(none)", nil),
                    (.POST, "/images/\(none)/transform", #"{"transformations":{"flip":true}}"#), (.GET, "/images/\(none)/t/flip", nil),
                    (.POST, "/images/\(none)/signed-url", #"{"options":"flip"}"#),
                    (.POST, "/webhooks", #"{"url":"https://hooks.example.com/in"}"#), (.GET, "/webhooks", nil),
                    (.DELETE, "/webhooks/\(none)", nil), (.GET, "/webhooks/\(none)/deliveries", nil),
                    (.POST, "/api-keys", #"{"name":"boot","scopes":["sign"]}"#), (.GET, "/api-keys", nil), (.DELETE, "/api-keys/\(none)", nil),
                    (.GET, "/usage", nil), (.POST, "/images/\(none)/preview", #"{"transformations":{"flip":true}}"#),
                    (.PUT, "/images/\(none)", nil),  // the $default route's function: 405
                ]
                for (method, path, body) in requests {
                    let reply = try await h.request(method, path, body: body.map { Data($0.utf8) }, headers: auth)
                    #expect(reply.status < 500, "\(method) \(path): \(reply.status) \(reply.text)")
                }
                for name in ["transform-worker", "transform-dead-letter", "webhook-worker", "webhook-dead-letter", "cache-purge", "sweeper"] {
                    _ = try? await h.runtime.invoke(name, event: Data(#"{"eventSource":"aws:rmq","rmqMessagesByQueue":{}}"#.utf8))
                }
                let metrics = h.runtime.metricsText()
                #expect(!metrics.contains(#"outcome="init_failed""#), "\(metrics)")
                // Every function reached its first `next`: one cold start each, and none restarted.
                let coldStarts = await h.runtime.coldStarts()
                #expect(coldStarts.count == h.runtime.functions.count, "\(coldStarts.count) of \(h.runtime.functions.count) functions started")
                #expect(!metrics.split(separator: "\n").contains { $0.hasPrefix("worker_restarts_total") && !$0.hasSuffix(" 0") })
            }
        }
    }
}
