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

        /// The need it stands for, as what the table can hold: its name, and whether it is set.
        private var need: (name: String, isSet: (FunctionEnvironment) -> Bool) {
            func erased<Value>(_ need: Need<Value>) -> (String, (FunctionEnvironment) -> Bool) { (need.setting, { need.value($0) != nil }) }
            return switch self {
            case .database: erased(Need.database)
            case .objectStore: erased(Need.objectStore)
            case .broker: erased(Need.broker)
            case .tokenSecret: erased(Need.tokenSecret)
            }
        }

        var name: String { need.name }

        func isSet(in environment: FunctionEnvironment) -> Bool { need.isSet(environment) }
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
