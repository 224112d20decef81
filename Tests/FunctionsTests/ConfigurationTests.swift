import Functions
import Testing

@Suite struct ConfigurationTests {
    let complete = [
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/db",
        "AMQP_URL": "amqp://u:p@127.0.0.1:5672/v",
        "S3_ENDPOINT": "http://127.0.0.1:9000", "S3_ACCESS_KEY_ID": "k", "S3_SECRET_ACCESS_KEY": "s",
        "JWT_SECRET": String(repeating: "x", count: 32),
    ]

    @Test func readsEverySetting() throws {
        let c = try Configuration(environment: complete)
        #expect(c.mode == .development)
        #expect(c.database?.port == 5432)
        #expect(c.amqp?.vhost == "v")
        #expect(c.s3?.bucket == "images")
        #expect(c.s3?.pathStyle == true)
        #expect(c.transformQueue == "image-transforms")
    }

    @Test func productionRefusesToStartWithoutAJWTSecret() {
        var env = complete
        env["APP_ENV"] = "production"
        env["JWT_SECRET"] = nil
        let error = #expect(throws: ConfigurationError.self) { try Configuration(environment: env) }
        #expect(error?.message.contains("JWT_SECRET") == true)
    }

    @Test func shortSecretsAndUnknownModesAreRefused() {
        var env = complete
        env["JWT_SECRET"] = "short"
        #expect(throws: ConfigurationError.self) { try Configuration(environment: env) }
        env = complete
        env["APP_ENV"] = "staging"
        #expect(throws: ConfigurationError.self) { try Configuration(environment: env) }
        env = complete
        env["S3_SECRET_ACCESS_KEY"] = nil
        #expect(throws: ConfigurationError.self) { try Configuration(environment: env) }
    }

    @Test func errorsNeverEchoSecrets() {
        var env = complete
        env["JWT_SECRET"] = "tiny-secret"
        let error = #expect(throws: ConfigurationError.self) { try Configuration(environment: env) }
        #expect(error?.description.contains("tiny-secret") == false)
    }
}
