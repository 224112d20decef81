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
])
