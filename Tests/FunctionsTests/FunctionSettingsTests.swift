import FunctionRuntime
import Logging
import Testing

@testable import Functions

/// Every function of the table names the settings it needs, and is checked for all of them before any of its
/// parts is built: started without them, it fails with one message naming each; started with exactly those,
/// it starts (so what it declares is all it needs). Nothing here connects: pools connect on first use.
@Suite struct FunctionSettingsTests {
    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }()

    /// Valid values of each setting the table can name; none of them is contacted.
    static let values: [String: [String: String]] = [
        "DATABASE_URL": ["DATABASE_URL": "postgres://user:password@127.0.0.1:1/none"],
        "S3_ENDPOINT or S3_BUCKET": ["S3_ENDPOINT": "http://127.0.0.1:1", "S3_ACCESS_KEY_ID": "key", "S3_SECRET_ACCESS_KEY": "secret"],
        "AMQP_URL": ["AMQP_URL": "amqp://user:password@127.0.0.1:1"],
        "JWT_SECRET": ["JWT_SECRET": "a secret of at least thirty-two bytes, for tests"],
    ]

    func start(_ name: String, with settings: [String: String]) async throws {
        let (environment, _) = try FunctionEnvironment.make(environment: settings, logger: Self.logger)
        _ = try await #require(functionTable.definition(named: name)).makeHandler(environment)
    }

    /// The settings named by a function's start without any, or [] when it started.
    func missing(_ name: String) async throws -> [String] {
        do {
            try await start(name, with: [:])
            return []
        } catch let error as ConfigurationError {
            let prefix = "the \(name) function needs settings that are not set: "
            #expect(error.message.hasPrefix(prefix), "\(name): \(error.message)")
            return error.message.dropFirst(prefix.count).components(separatedBy: ", ")
        }
    }

    @Test(arguments: functionTable.names)
    func startsWithExactlyTheSettingsItNames(_ name: String) async throws {
        let needed = try await missing(name)
        for setting in needed { #expect(Self.values[setting] != nil, "\(name) names an unknown setting \(setting)") }
        let settings = needed.reduce(into: [String: String]()) { all, setting in all.merge(Self.values[setting] ?? [:]) { $1 } }
        try await start(name, with: settings)
    }

    @Test func theMessageNamesEveryMissingSettingAtOnce() async throws {
        #expect(try await missing("transform") == ["DATABASE_URL", "S3_ENDPOINT or S3_BUCKET", "AMQP_URL", "JWT_SECRET"])
        #expect(try await missing("sweeper") == ["DATABASE_URL", "S3_ENDPOINT or S3_BUCKET", "AMQP_URL"])
        #expect(try await missing("health") == [])
    }
}
