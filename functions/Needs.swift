import FunctionRuntime
import Messaging
import PostgresNIO
import Storage

/// A setting a function cannot start without, and what it gives once set: the PostgreSQL pool for
/// `DATABASE_URL`, the object store for `S3_ENDPOINT` or `S3_BUCKET`, the broker for `AMQP_URL`, the token
/// secret for `JWT_SECRET`. The configuration is parsed once, at cold start, into `FunctionEnvironment`;
/// `require` hands out non-optional values, and a missing setting fails the start with one message naming
/// every one that is missing.
struct Need<Value: Sendable>: Sendable {
    /// The setting as an operator writes it.
    let setting: String
    let value: @Sendable (FunctionEnvironment) -> Value?
}

extension Need where Value == PostgresClient {
    static var database: Need { Need(setting: "DATABASE_URL") { $0.postgres } }
}

extension Need where Value == S3Client {
    static var objectStore: Need { Need(setting: "S3_ENDPOINT or S3_BUCKET") { $0.s3 } }
}

extension Need where Value == JobPublisher {
    static var broker: Need { Need(setting: "AMQP_URL") { $0.publisher } }
}

extension Need where Value == String {
    static var tokenSecret: Need { Need(setting: "JWT_SECRET") { $0.configuration.jwtSecret } }
}

extension FunctionEnvironment {
    /// The values of the needs, each non-optional; or one error naming every need that is not set.
    func require<each Value>(_ needs: repeat Need<each Value>) throws(ConfigurationError) -> (repeat each Value) {
        var missing: [String] = []
        for need in repeat each needs {
            if need.value(self) == nil { missing.append(need.setting) }
        }
        guard missing.isEmpty else { throw ConfigurationError("not set: \(missing.joined(separator: ", "))") }
        return (repeat (each needs).value(self)!)
    }

    /// Checks every setting a function needs before any of its parts is built, so the one error names them all.
    func check(_ needs: [Setting], of function: String) throws(ConfigurationError) {
        let missing = needs.filter { !$0.isSet(in: self) }.map(\.name)
        guard missing.isEmpty else {
            throw ConfigurationError("the \(function) function needs settings that are not set: \(missing.joined(separator: ", "))")
        }
    }

    /// The settings of the table's `needs:` lists.
    enum Setting: Sendable, CaseIterable {
        case database, objectStore, broker, tokenSecret

        var name: String {
            switch self {
            case .database: Need.database.setting
            case .objectStore: Need.objectStore.setting
            case .broker: Need.broker.setting
            case .tokenSecret: Need.tokenSecret.setting
            }
        }

        func isSet(in environment: FunctionEnvironment) -> Bool {
            switch self {
            case .database: environment.postgres != nil
            case .objectStore: environment.s3 != nil
            case .broker: environment.publisher != nil
            case .tokenSecret: environment.configuration.jwtSecret != nil
            }
        }
    }
}

extension FunctionDefinition where Environment == FunctionEnvironment {
    /// A function of the table and the settings it needs: they are checked, all at once, before its handler
    /// is made.
    init(
        _ description: FunctionDescription, needs: [FunctionEnvironment.Setting],
        makeHandler: @escaping @Sendable (FunctionEnvironment) async throws -> any InvocationHandler
    ) {
        self.init(description) { environment in
            try environment.check(needs, of: description.name)
            return try await makeHandler(environment)
        }
    }
}
