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

    /// Lambda gives a function its role's credentials as AWS_* variables, and no S3_* ones: the template's
    /// environment plus those must configure the store, with the session token signed into requests.
    @Test func lambdaRoleCredentialsConfigureTheStore() throws {
        let lambda = [
            "S3_REGION": "eu-west-1", "S3_BUCKET": "stack-imagesbucket-1x2y", "S3_FORCE_PATH_STYLE": "false",
            "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token==",
            "AWS_REGION": "eu-west-1",
        ]
        let c = try Configuration(environment: lambda)
        let s3 = try #require(c.s3)
        #expect(s3.endpoint == "https://s3.eu-west-1.amazonaws.com")
        #expect(s3.accessKeyID == "ASIAEXAMPLE" && s3.secretAccessKey == "secret" && s3.sessionToken == "token==")
        #expect(s3.pathStyle == false && s3.bucket == "stack-imagesbucket-1x2y")

        // The region falls back to Lambda's AWS_REGION; explicit S3 keys win over the role's, without its token.
        var env = lambda
        env["S3_REGION"] = nil
        env["AWS_REGION"] = "ap-south-1"
        #expect(try Configuration(environment: env).s3?.endpoint == "https://s3.ap-south-1.amazonaws.com")
        env["S3_ACCESS_KEY_ID"] = "minio"
        env["S3_SECRET_ACCESS_KEY"] = "minio-secret"
        let explicit = try #require(try Configuration(environment: env).s3)
        #expect(explicit.accessKeyID == "minio" && explicit.sessionToken == nil)

        // No credentials at all: the start fails naming both ways to give them.
        var none = lambda
        none["AWS_ACCESS_KEY_ID"] = nil
        let error = #expect(throws: ConfigurationError.self) { try Configuration(environment: none) }
        #expect(error?.message.contains("AWS_ACCESS_KEY_ID") == true && error?.message.contains("S3_ACCESS_KEY_ID") == true)
    }

    @Test func webhookSettingsHaveDefaultsAndBounds() throws {
        let defaults = try Configuration(environment: complete).webhooks
        #expect(defaults.queue == "webhook-deliveries" && defaults.retryDelays == [30, 120, 600, 3600, 21600] && defaults.timeoutSeconds == 10)
        let set = try Configuration(environment: complete.merging(["WEBHOOK_RETRY_SECONDS": "1, 2", "WEBHOOK_TIMEOUT_SECONDS": "3"]) { $1 })
        #expect(set.webhooks.retryDelays == [1, 2] && set.webhooks.timeoutSeconds == 3)
        #expect(try Configuration(environment: complete.merging(["WEBHOOK_RETRY_SECONDS": "none"]) { $1 }).webhooks.retryDelays == [])
        for bad in ["0", "1,,2", "soon", "90000"] {
            #expect(throws: ConfigurationError.self) { try Configuration(environment: complete.merging(["WEBHOOK_RETRY_SECONDS": bad]) { $1 }) }
        }
        #expect(throws: ConfigurationError.self) { try Configuration(environment: complete.merging(["WEBHOOK_TIMEOUT_SECONDS": "26"]) { $1 }) }
    }

    @Test func theStorageQuotaIsOffUnlessAPositiveNumberOfBytes() throws {
        var env = complete
        #expect(try Configuration(environment: env).storageQuotaBytes == nil)
        env["STORAGE_QUOTA_BYTES"] = "off"
        #expect(try Configuration(environment: env).storageQuotaBytes == nil)
        env["STORAGE_QUOTA_BYTES"] = "1073741824"
        #expect(try Configuration(environment: env).storageQuotaBytes == 1_073_741_824)
        for bad in ["0", "-5", "1GB", "1.5"] {
            env["STORAGE_QUOTA_BYTES"] = bad
            #expect(throws: ConfigurationError.self, "\(bad)") { try Configuration(environment: env) }
        }
    }

    @Test func presignedURLLifetimesAreBounded() throws {
        var env = complete
        #expect(try Configuration(environment: env).presignedUploadSeconds == 900)
        #expect(try Configuration(environment: env).presignedDownloadSeconds == 300)
        env["S3_PRESIGN_UPLOAD_SECONDS"] = "0"
        #expect(throws: ConfigurationError.self) { try Configuration(environment: env) }
        env["S3_PRESIGN_UPLOAD_SECONDS"] = "604801"
        #expect(throws: ConfigurationError.self) { try Configuration(environment: env) }
        env["S3_PUBLIC_ENDPOINT"] = "ftp://nope"
        env["S3_PRESIGN_UPLOAD_SECONDS"] = nil
        #expect(throws: (any Error).self) { try Configuration(environment: env) }
    }

    @Test func errorsNeverEchoSecrets() {
        var env = complete
        env["JWT_SECRET"] = "tiny-secret"
        let error = #expect(throws: ConfigurationError.self) { try Configuration(environment: env) }
        #expect(error?.description.contains("tiny-secret") == false)
    }
}
