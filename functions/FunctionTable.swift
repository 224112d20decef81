import FunctionRuntime

/// The table of functions: every handler name, its routes or queue, its limits. `infra/template.yaml`
/// describes the same functions for AWS SAM; FunctionsTests keeps the two in step.
public let functionTable = FunctionTable<FunctionEnvironment>([
    FunctionDefinition(
        FunctionDescription(
            name: "health", summary: "Liveness: the process answers.", timeoutSeconds: 3, memoryMB: 128,
            routes: HTTPRoute.get("/healthz")
        ), needs: []
    ) { _ in HTTPInvocationHandler(HealthFunction()) },
    FunctionDefinition(
        FunctionDescription(
            name: "ready", summary: "Readiness: PostgreSQL, S3 and RabbitMQ answer.", timeoutSeconds: 10,
            memoryMB: 128, routes: HTTPRoute.get("/readyz")
        ), needs: []
    ) { environment in HTTPInvocationHandler(ReadinessFunction(environment: environment)) },
    FunctionDefinition(
        FunctionDescription(
            name: "migrate", summary: "Applies database schema migrations; invoked once per deploy.",
            timeoutSeconds: 60, memoryMB: 256
        ), needs: [.database]
    ) { environment in try MigrateFunction(environment: environment) },
    FunctionDefinition(
        FunctionDescription(
            name: "register", summary: "Creates an account and signs it in.", timeoutSeconds: 10, memoryMB: 256,
            routes: [HTTPRoute("POST", "/register")]
        ), needs: [.database, .tokenSecret]
    ) { environment in apiHandler(SessionFunction(accounts: try await AccountService(environment: environment), mode: .register)) },
    FunctionDefinition(
        FunctionDescription(
            name: "login", summary: "Signs in with a username and password.", timeoutSeconds: 10, memoryMB: 256,
            routes: [HTTPRoute("POST", "/login")]
        ), needs: [.database, .tokenSecret]
    ) { environment in apiHandler(SessionFunction(accounts: try await AccountService(environment: environment), mode: .login)) },
    FunctionDefinition(
        FunctionDescription(
            name: "token", summary: "OAuth2 password grant of the original service.", timeoutSeconds: 10, memoryMB: 256,
            routes: [HTTPRoute("POST", "/token")]
        ), needs: [.database, .tokenSecret]
    ) { environment in apiHandler(TokenFunction(accounts: try await AccountService(environment: environment))) },
    FunctionDefinition(
        FunctionDescription(
            name: "create-user", summary: "Account creation of the original service.", timeoutSeconds: 10, memoryMB: 256,
            routes: [HTTPRoute("POST", "/users"), HTTPRoute("POST", "/users/")]
        ), needs: [.database, .tokenSecret]
    ) { environment in apiHandler(CreateUserFunction(accounts: try await AccountService(environment: environment))) },
    FunctionDefinition(
        FunctionDescription(
            name: "me", summary: "The signed-in user.", timeoutSeconds: 10, memoryMB: 128,
            routes: HTTPRoute.get("/users/me")
        ), needs: [.database, .tokenSecret]
    ) { environment in apiHandler(MeFunction(accounts: try await AccountService(environment: environment))) },
    FunctionDefinition(
        FunctionDescription(
            name: "create-api-key", summary: "Makes an API key for servers; answers its secret once.", timeoutSeconds: 10,
            memoryMB: 128, routes: [HTTPRoute("POST", "/api-keys")]
        ), needs: [.database, .tokenSecret]
    ) { environment in apiHandler(CreateAPIKeyFunction(accounts: try await AccountService(environment: environment))) },
    FunctionDefinition(
        FunctionDescription(
            name: "list-api-keys", summary: "The caller's API keys, without their secrets.", timeoutSeconds: 10, memoryMB: 128,
            routes: HTTPRoute.get("/api-keys")
        ), needs: [.database, .tokenSecret]
    ) { environment in apiHandler(ListAPIKeysFunction(accounts: try await AccountService(environment: environment))) },
    FunctionDefinition(
        FunctionDescription(
            name: "delete-api-key", summary: "Revokes an API key at once.", timeoutSeconds: 10, memoryMB: 128,
            routes: [HTTPRoute("DELETE", "/api-keys/{id}")]
        ), needs: [.database, .tokenSecret]
    ) { environment in apiHandler(DeleteAPIKeyFunction(accounts: try await AccountService(environment: environment))) },
    FunctionDefinition(
        FunctionDescription(
            name: "usage", summary: "What the caller holds and has made, and where their rate limits stand.", timeoutSeconds: 10,
            memoryMB: 128, routes: HTTPRoute.get("/usage")
        ), needs: [.database, .objectStore, .tokenSecret]
    ) { environment in apiHandler(try await UsageFunction(environment: environment)) },
    FunctionDefinition(
        FunctionDescription(
            name: "upload", summary: "Stores an uploaded image (multipart, raw body or base64 JSON).", timeoutSeconds: 29, memoryMB: 1024,
            routes: [HTTPRoute("POST", "/images"), HTTPRoute("POST", "/images/upload")]
        ), needs: [.database, .objectStore, .tokenSecret]
    ) { environment in apiHandler(try await UploadFunction(environment: environment)) },
    FunctionDefinition(
        FunctionDescription(
            name: "upload-url", summary: "Starts a presigned upload: a PUT URL straight to the object store.", timeoutSeconds: 10,
            memoryMB: 256, routes: [HTTPRoute("POST", "/images/uploads")]
        ), needs: [.database, .objectStore, .tokenSecret]
    ) { environment in apiHandler(try await PresignedUploadFunction(environment: environment)) },
    FunctionDefinition(
        FunctionDescription(
            name: "complete-upload", summary: "Checks a presigned upload's bytes and creates the image.", timeoutSeconds: 29,
            memoryMB: 1024, routes: [HTTPRoute("POST", "/images/uploads/{id}/complete")]
        ), needs: [.database, .objectStore, .tokenSecret]
    ) { environment in apiHandler(try await CompleteUploadFunction(environment: environment)) },
    FunctionDefinition(
        FunctionDescription(
            name: "image", summary: "Serves an image's bytes (or a redirect to them), converted with ?format=.", timeoutSeconds: 29, memoryMB: 1024,
            routes: HTTPRoute.get("/images/{id}") + HTTPRoute.get("/image/{id}"), invokeMode: .responseStream
        ), needs: [.database, .objectStore, .tokenSecret]
    ) { environment in apiHandler(ImageBytesFunction(service: try await ImageService(environment: environment), accounts: try await AccountService(environment: environment))) },
    FunctionDefinition(
        FunctionDescription(
            name: "metadata", summary: "An image's metadata.", timeoutSeconds: 10, memoryMB: 256,
            routes: HTTPRoute.get("/images/{id}/metadata")
        ), needs: [.database, .objectStore, .tokenSecret]
    ) { environment in apiHandler(ImageMetadataFunction(service: try await ImageService(environment: environment), accounts: try await AccountService(environment: environment), signer: try URLSigner(configuration: environment.configuration))) },
    FunctionDefinition(
        FunctionDescription(
            name: "list", summary: "The caller's images, paginated and searchable.", timeoutSeconds: 10, memoryMB: 256,
            routes: HTTPRoute.get("/images")
        ), needs: [.database, .objectStore, .tokenSecret]
    ) { environment in apiHandler(ListImagesFunction(service: try await ImageService(environment: environment), accounts: try await AccountService(environment: environment), variants: false, signer: try URLSigner(configuration: environment.configuration))) },
    FunctionDefinition(
        FunctionDescription(
            name: "variants", summary: "The variants made from an image, paginated.", timeoutSeconds: 10, memoryMB: 256,
            routes: HTTPRoute.get("/images/{id}/variants")
        ), needs: [.database, .objectStore, .tokenSecret]
    ) { environment in apiHandler(ListImagesFunction(service: try await ImageService(environment: environment), accounts: try await AccountService(environment: environment), variants: true, signer: try URLSigner(configuration: environment.configuration))) },
    FunctionDefinition(
        FunctionDescription(
            name: "delete", summary: "Deletes an image, its variants and their stored bytes.", timeoutSeconds: 29, memoryMB: 256,
            routes: [HTTPRoute("DELETE", "/images/{id}")]
        ), needs: [.database, .objectStore, .tokenSecret]
    ) { environment in apiHandler(DeleteImageFunction(service: try await ImageService(environment: environment), accounts: try await AccountService(environment: environment))) },
    FunctionDefinition(
        FunctionDescription(
            name: "transform", summary: "Queues a transformation of an image.", timeoutSeconds: 29, memoryMB: 256,
            routes: [HTTPRoute("POST", "/images/{id}/transform")]
        ), needs: [.database, .objectStore, .broker, .tokenSecret]
    ) { environment in apiHandler(try await TransformFunction(environment: environment)) },
    FunctionDefinition(
        FunctionDescription(
            name: "preview", summary: "Renders transformations for a live preview, storing nothing.", timeoutSeconds: 29,
            memoryMB: 1024, routes: [HTTPRoute("POST", "/images/{id}/preview")]
        ), needs: [.database, .objectStore, .tokenSecret]
    ) { environment in apiHandler(try await PreviewFunction(environment: environment)) },
    FunctionDefinition(
        FunctionDescription(
            name: "url-transform", summary: "A transformed image by URL, made within the request when new.", timeoutSeconds: 29,
            memoryMB: 1024, routes: HTTPRoute.get("/images/{id}/t/{options}"), invokeMode: .responseStream
        ), needs: [.database, .objectStore, .tokenSecret]
    ) { environment in apiHandler(try await URLTransformFunction(environment: environment)) },
    FunctionDefinition(
        FunctionDescription(
            name: "sign-url", summary: "Signs a transformation URL that works without a header until it expires.", timeoutSeconds: 10,
            memoryMB: 256, routes: [HTTPRoute("POST", "/images/{id}/signed-url")]
        ), needs: [.database, .objectStore, .tokenSecret]
    ) { environment in apiHandler(try await SignURLFunction(environment: environment)) },
    FunctionDefinition(
        FunctionDescription(
            name: "transform-worker", summary: "Makes queued variants.", timeoutSeconds: 60, memoryMB: 1024,
            queue: QueueTrigger(queue: "image-transforms")
        ), needs: [.database, .objectStore]
    ) { environment in QueueInvocationHandler(try TransformWorker(environment: environment)) },
    FunctionDefinition(
        FunctionDescription(
            name: "transform-dead-letter", summary: "Marks variants whose jobs were dead-lettered as failed.",
            timeoutSeconds: 10, memoryMB: 256, queue: .deadLetters(of: "image-transforms")
        ), needs: [.database]
    ) { environment in QueueInvocationHandler(try DeadLetterFunction(environment: environment)) },
    FunctionDefinition(
        FunctionDescription(
            name: "create-webhook", summary: "Registers a callback URL for variant events; answers its signing secret once.",
            timeoutSeconds: 10, memoryMB: 256, routes: [HTTPRoute("POST", "/webhooks")]
        ), needs: [.database, .tokenSecret]
    ) { environment in apiHandler(CreateWebhookFunction(service: try await WebhookService(environment: environment), accounts: try await AccountService(environment: environment))) },
    FunctionDefinition(
        FunctionDescription(
            name: "list-webhooks", summary: "The caller's webhooks.", timeoutSeconds: 10, memoryMB: 256,
            routes: HTTPRoute.get("/webhooks")
        ), needs: [.database, .tokenSecret]
    ) { environment in apiHandler(ListWebhooksFunction(service: try await WebhookService(environment: environment), accounts: try await AccountService(environment: environment))) },
    FunctionDefinition(
        FunctionDescription(
            name: "delete-webhook", summary: "Deletes a webhook and its deliveries.", timeoutSeconds: 10, memoryMB: 256,
            routes: [HTTPRoute("DELETE", "/webhooks/{id}")]
        ), needs: [.database, .tokenSecret]
    ) { environment in apiHandler(DeleteWebhookFunction(service: try await WebhookService(environment: environment), accounts: try await AccountService(environment: environment))) },
    FunctionDefinition(
        FunctionDescription(
            name: "webhook-deliveries", summary: "A webhook's deliveries and every attempt, paginated.", timeoutSeconds: 10,
            memoryMB: 256, routes: HTTPRoute.get("/webhooks/{id}/deliveries")
        ), needs: [.database, .tokenSecret]
    ) { environment in apiHandler(WebhookDeliveriesFunction(service: try await WebhookService(environment: environment), accounts: try await AccountService(environment: environment))) },
    FunctionDefinition(
        FunctionDescription(
            name: "webhook-worker", summary: "Delivers signed webhook events, retrying with back-off.", timeoutSeconds: 30,
            memoryMB: 256, queue: QueueTrigger(queue: "webhook-deliveries")
        ), needs: [.database, .broker]
    ) { environment in QueueInvocationHandler(try WebhookWorker(environment: environment)) },
    FunctionDefinition(
        FunctionDescription(
            name: "webhook-dead-letter", summary: "Drains dead-lettered webhook messages; the sweeper queues their deliveries again.",
            timeoutSeconds: 10, memoryMB: 128, queue: .deadLetters(of: "webhook-deliveries")
        ), needs: [.database]
    ) { _ in QueueInvocationHandler(WebhookDeadLetterFunction()) },
    FunctionDefinition(
        FunctionDescription(
            name: "cache-purge", summary: "Takes deleted images' answers out of the cache tier (a Varnish ban, a CloudFront invalidation).",
            timeoutSeconds: 30, memoryMB: 128, queue: QueueTrigger(queue: "cache-purges")
        ), needs: []
    ) { environment in QueueInvocationHandler(CachePurgeFunction(environment: environment)) },
    FunctionDefinition(
        FunctionDescription(
            name: "sweeper", summary: "Publishes unconfirmed jobs again and removes orphaned objects.",
            // 1 GB as the upload's: rewriting an old progressive original holds its DCT coefficients.
            timeoutSeconds: 300, memoryMB: 1024, schedule: ScheduleTrigger(rateMinutes: 1)
        ), needs: [.database, .objectStore, .broker]
    ) { environment in try SweeperFunction(environment: environment) },
    FunctionDefinition(
        FunctionDescription(
            name: "gallery", summary: "The gallery web app: its page and its static files.", timeoutSeconds: 3,
            memoryMB: 128, routes: HTTPRoute.get("/") + HTTPRoute.get("/gallery/{file}"), invokeMode: .responseStream
        ), needs: []
    ) { _ in apiHandler(GalleryFunction()) },
    FunctionDefinition(
        FunctionDescription(
            name: "openapi", summary: "The OpenAPI document of every route.", timeoutSeconds: 3, memoryMB: 128,
            routes: HTTPRoute.get("/openapi.json")
        ), needs: []
    ) { _ in HTTPInvocationHandler(OpenAPIFunction()) },
    FunctionDefinition(
        FunctionDescription(
            name: "fallback", summary: "What no route takes: 405 with Allow for a known path, else 404.", timeoutSeconds: 3,
            memoryMB: 128, routes: [.fallback]
        ), needs: []
    ) { _ in apiHandler(FallbackFunction(routes: functionTable.descriptions.flatMap(\.routes).filter { $0 != .fallback })) },
])
