/// A function of the table: its description and how to build its handler from the shared environment
/// (configuration, connection pools) once, at cold start.
public struct FunctionDefinition<Environment: Sendable>: Sendable {
    public var description: FunctionDescription
    public var makeHandler: @Sendable (Environment) async throws -> any InvocationHandler

    public init(
        _ description: FunctionDescription,
        makeHandler: @escaping @Sendable (Environment) async throws -> any InvocationHandler
    ) {
        self.description = description
        self.makeHandler = makeHandler
    }

    public var name: String { description.name }
}

/// The table of functions: declared once, looked up by handler name.
public struct FunctionTable<Environment: Sendable>: Sendable {
    public let definitions: [FunctionDefinition<Environment>]

    public init(_ definitions: [FunctionDefinition<Environment>]) {
        precondition(Set(definitions.map(\.name)).count == definitions.count, "function names must be unique")
        self.definitions = definitions
    }

    public func definition(named name: String) -> FunctionDefinition<Environment>? {
        definitions.first { $0.name == name }
    }

    public var names: [String] { definitions.map(\.name) }
    public var descriptions: [FunctionDescription] { definitions.map(\.description) }
}
