import ChildProcess
import Foundation
import Testing

/// Services of a test's own, started by `infra/dev/services` in a directory and on ports no other test uses,
/// for tests that stop, kill or replace them (the shared test services must stay up for the others).
struct OwnServices: Sendable {
    let directory: URL
    let environment: [String: String]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The ports must be this test's alone (the S3 server takes s3Port ... s3Port+9 and s3Port-10000+8).
    /// RabbitMQ takes amqpPort and amqpPort+1, its epmd epmdPort.
    init(pgPort: Int, amqpPort: Int, epmdPort: Int, s3Port: Int) {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("own-services-\(UUID().uuidString.prefix(8))")
        environment = ProcessInfo.processInfo.environment.merging([
            "IF_DEV_DIR": directory.path, "IF_PG_PORT": String(pgPort), "IF_AMQP_PORT": String(amqpPort),
            "IF_EPMD_PORT": String(epmdPort), "IF_S3_PORT": String(s3Port), "IF_TLS": "0",
        ]) { $1 }
    }

    /// Runs `infra/dev/<script> arguments`; fails the test with its output when it fails.
    @discardableResult
    func run(_ script: String, _ arguments: String...) async throws -> String {
        let result = try await ChildProcess.run(
            "/usr/bin/env", ["bash", Self.root.appendingPathComponent("infra/dev/\(script)").path] + arguments,
            environment: environment, output: .captureMerged
        )
        try #require(result.status == 0, "infra/dev/\(script) \(arguments.joined(separator: " ")) failed: \(result.text)")
        return result.text
    }

    /// The settings `up` wrote (DATABASE_URL, S3_ENDPOINT, ...), for a harness's environment.
    func settings() throws -> [String: String] {
        let text = try String(contentsOf: directory.appendingPathComponent("env"), encoding: .utf8)
        var settings: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count)
            guard let equals = pair.firstIndex(of: "=") else { continue }
            settings[String(pair[..<equals])] = String(pair[pair.index(after: equals)...]).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        return settings
    }

    /// Stops whatever is still running and removes the directory.
    func tearDown() async {
        _ = try? await ChildProcess.run(
            "/usr/bin/env", ["bash", Self.root.appendingPathComponent("infra/dev/services").path, "down"],
            environment: environment, output: .discard
        )
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body`, then tears down, whether it threw or not.
    func with<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await tearDown()
            return result
        } catch {
            await tearDown()
            throw error
        }
    }
}
