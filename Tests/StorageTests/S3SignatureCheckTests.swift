import ChildProcess
import Foundation
import Storage
import Testing

/// The S3 client against a moto server that checks signatures (INITIAL_NO_AUTH_ACTION_COUNT): the first
/// requests, free, create an IAM user and its access key with boto3; every request after that is checked, so
/// our SigV4 must be right for it to pass, and a wrong secret must be refused.
@Suite struct S3SignatureCheckTests {
    static let port = 29300

    func withCheckingMoto(_ body: (String) async throws -> Void) async throws {
        let moto = try ChildProcess.start(
            "/usr/bin/env", ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(Self.port)],
            environment: ProcessInfo.processInfo.environment.merging(["INITIAL_NO_AUTH_ACTION_COUNT": "3"]) { $1 }
        )
        // Stopped with SIGKILL (a child may inherit SIGTERM blocked) whatever the body does: moto must not
        // outlive the test, or the next run meets a server whose free requests are spent.
        do {
            try await withMoto(body)
        } catch {
            await moto.stop()
            throw error
        }
        await moto.stop()
    }

    private func withMoto(_ body: (String) async throws -> Void) async throws {
        let endpoint = "http://127.0.0.1:\(Self.port)"
        // Wait until it accepts connections; a TCP probe sends no request, so it costs none of the free ones.
        var up = false
        for _ in 0..<100 where !up {
            try await Task.sleep(for: .milliseconds(100))
            up = Self.accepts(port: Self.port)
        }
        try #require(up, "moto did not start")
        try await body(endpoint)
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Creates a user with an access key through boto3 while requests are still free; prints "KEY SECRET".
    func makeCredentials(_ endpoint: String) async throws -> (String, String) {
        let script = """
            import boto3, json, sys
            iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
                               aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
            iam.create_user(UserName="tester")
            iam.put_user_policy(UserName="tester", PolicyName="s3", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
            key = iam.create_access_key(UserName="tester")["AccessKey"]
            print(key["AccessKeyId"], key["SecretAccessKey"])
            """
        let result = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", script, endpoint], output: .captureMerged)
        let text = result.text
        let parts = text.split(whereSeparator: \.isWhitespace).map(String.init)
        try #require(result.status == 0 && parts.count == 2, "boto3 could not create credentials: \(text)")
        return (parts[0], parts[1])
    }

    @Test func signedRequestsPassAndAWrongSecretIsRefused() async throws {
        try await withCheckingMoto { endpoint in
            let (key, secret) = try await makeCredentials(endpoint)
            let settings = try S3Settings(endpoint: endpoint, region: "us-east-1", bucket: "signed", accessKeyID: key, secretAccessKey: secret, pathStyle: true)
            let client = S3Client(settings: settings)
            try await client.createBucket()
            try await client.headBucket()
            let body = Data("checked bytes".utf8)
            try await client.putObject(key: "originals/a/b", body: body, contentType: "image/png")
            #expect(try await client.getObject(key: "originals/a/b") == body)
            try await client.deleteObject(key: "originals/a/b")

            var wrong = settings
            wrong.secretAccessKey = secret + "x"
            let error = await #expect(throws: StorageError.self) { try await S3Client(settings: wrong).headBucket() }
            #expect(error?.code == .objectStoreRejected)
        }
    }
}
