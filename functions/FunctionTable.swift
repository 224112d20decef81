import FunctionRuntime

/// The table of functions: every handler name, its routes or queue, its limits. `infra/template.yaml`
/// describes the same functions for AWS SAM; FunctionsTests keeps the two in step.
public let functionTable = FunctionTable<FunctionEnvironment>([
    FunctionDefinition(
        FunctionDescription(
            name: "health", summary: "Liveness: the process answers.", timeoutSeconds: 3, memoryMB: 128,
            routes: [HTTPRoute("GET", "/healthz")]
        )
    ) { _ in HTTPInvocationHandler(HealthFunction()) },
    FunctionDefinition(
        FunctionDescription(
            name: "ready", summary: "Readiness: PostgreSQL, S3 and RabbitMQ answer.", timeoutSeconds: 10,
            memoryMB: 128, routes: [HTTPRoute("GET", "/readyz")]
        )
    ) { environment in HTTPInvocationHandler(ReadinessFunction(environment: environment)) },
    FunctionDefinition(
        FunctionDescription(
            name: "migrate", summary: "Applies database schema migrations; invoked once per deploy.",
            timeoutSeconds: 60, memoryMB: 256
        )
    ) { environment in try MigrateFunction(environment: environment) },
    FunctionDefinition(
        FunctionDescription(
            name: "register", summary: "Creates an account and signs it in.", timeoutSeconds: 10, memoryMB: 256,
            routes: [HTTPRoute("POST", "/register")]
        )
    ) { environment in apiHandler(SessionFunction(accounts: try await AccountService(environment: environment), mode: .register)) },
    FunctionDefinition(
        FunctionDescription(
            name: "login", summary: "Signs in with a username and password.", timeoutSeconds: 10, memoryMB: 256,
            routes: [HTTPRoute("POST", "/login")]
        )
    ) { environment in apiHandler(SessionFunction(accounts: try await AccountService(environment: environment), mode: .login)) },
    FunctionDefinition(
        FunctionDescription(
            name: "token", summary: "OAuth2 password grant of the original service.", timeoutSeconds: 10, memoryMB: 256,
            routes: [HTTPRoute("POST", "/token")]
        )
    ) { environment in apiHandler(TokenFunction(accounts: try await AccountService(environment: environment))) },
    FunctionDefinition(
        FunctionDescription(
            name: "create-user", summary: "Account creation of the original service.", timeoutSeconds: 10, memoryMB: 256,
            routes: [HTTPRoute("POST", "/users"), HTTPRoute("POST", "/users/")]
        )
    ) { environment in apiHandler(CreateUserFunction(accounts: try await AccountService(environment: environment))) },
    FunctionDefinition(
        FunctionDescription(
            name: "me", summary: "The signed-in user.", timeoutSeconds: 5, memoryMB: 128,
            routes: [HTTPRoute("GET", "/users/me")]
        )
    ) { environment in apiHandler(MeFunction(accounts: try await AccountService(environment: environment))) },
])
