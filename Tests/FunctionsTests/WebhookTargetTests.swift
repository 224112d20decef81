@testable import Functions
import Foundation
import Testing

/// Where a webhook may point: production takes only https:// to public addresses; development also takes
/// http:// and loopback, and still refuses private ranges.
@Suite struct WebhookTargetTests {
    func refusal(_ url: String, _ policy: WebhookTarget.Policy = .production) -> String? {
        switch WebhookTarget.parse(url, policy: policy) {
        case .success: nil
        case .failure(let refusal): refusal.message
        }
    }

    @Test func productionTakesPublicHTTPSTargets() {
        #expect(refusal("https://hooks.example.com/in?x=1") == nil)
        #expect(refusal("https://93.184.216.34:8443/in") == nil)
        #expect(refusal("https://[2606:2800:220:1:248:1893:25c8:1946]/in") == nil)
    }

    @Test func productionRefusesHTTPAndLoopbackAndPrivateRanges() {
        #expect(refusal("http://hooks.example.com/in") == "must be an https:// URL")
        for url in [
            "https://localhost/in", "https://api.localhost./in", "https://127.0.0.1/in", "https://127.1.2.3/in",
            "https://[::1]/in", "https://2130706433/in", "https://0x7f.1/in", "https://[::ffff:127.0.0.1]/in",
        ] {
            #expect(refusal(url)?.contains("this machine") == true || refusal(url)?.contains("loopback") == true, "\(url)")
        }
        let ranges = [
            "https://10.0.0.5/": "private", "https://172.20.1.1/": "private", "https://192.168.1.1/": "private",
            "https://169.254.169.254/latest/meta-data": "link-local", "https://100.64.0.1/": "shared",
            "https://0.0.0.0/": "unspecified", "https://224.0.0.1/": "multicast", "https://[fd00::1]/": "unique local",
            "https://[fe80::1]/": "link-local", "https://[64:ff9b::a00:1]/": "private", "https://[2002:c0a8:101::1]/": "private",
            "https://192.0.2.1/": "documentation", "https://255.255.255.255/": "reserved",
        ]
        for (url, kind) in ranges {
            #expect(refusal(url)?.contains(kind) == true, "\(url): \(refusal(url) ?? "accepted")")
        }
    }

    @Test func developmentTakesLoopbackOverHTTPButNotPrivateRanges() {
        #expect(refusal("http://127.0.0.1:8099/hook", .development) == nil)
        #expect(refusal("http://localhost:8099/hook", .development) == nil)
        #expect(refusal("http://[::1]:8099/hook", .development) == nil)
        #expect(refusal("http://10.1.2.3/hook", .development)?.contains("private") == true)
        #expect(refusal("ftp://127.0.0.1/hook", .development) == "must be an http:// or https:// URL")
    }

    @Test func malformedAndCredentialBearingURLsAreRefused() {
        #expect(refusal("not a url")?.hasPrefix("must be an absolute URL") == true)
        #expect(refusal("/relative/path")?.hasPrefix("must be an absolute URL") == true)
        #expect(refusal("https://user:pass@hooks.example.com/")?.contains("user or password") == true)
        #expect(refusal("https://hooks.example.com/#part")?.contains("fragment") == true)
        #expect(refusal("https://hooks.example.com/" + String(repeating: "a", count: 2100))?.contains("2048") == true)
        // Raw control characters (accepted with a 201 before): NUL, CR, LF, tab, DEL.
        for control in ["\u{0}", "\r", "\n", "\r\nX-Injected: 1", "\t", "\u{7F}"] {
            #expect(refusal("https://hooks.example.com/in" + control)?.contains("control characters") == true, "\(control.debugDescription)")
        }
        #expect(refusal("https://hooks.example.com/in%0D%0A") == nil)  // percent-encoded is a path like any other
    }

    @Test func resolvedAddressesAreCheckedBeforeEachAttempt() throws {
        let loopbackName = try WebhookTarget.parse("http://localhost:1/", policy: .development).get()
        #expect(loopbackName.checkResolvedAddresses(policy: .development) == nil)
        #expect(loopbackName.checkResolvedAddresses(policy: .production) != nil)
        let unresolvable = try WebhookTarget.parse("https://no-such-host.invalid/", policy: .production).get()
        #expect(unresolvable.checkResolvedAddresses(policy: .production)?.message == "the host name does not resolve")
    }
}

/// Signatures as Standard Webhooks specifies them, against the specification's published example.
@Suite struct WebhookSignatureTests {
    @Test func matchesTheSpecificationsExample() {
        // standard-webhooks/spec, "Signature scheme": this secret, id, timestamp and body sign to this value.
        let signature = WebhookSignature.sign(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8),
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        )
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func secretsAreFreshAndCarry32Bytes() {
        let a = WebhookSignature.newSecret(), b = WebhookSignature.newSecret()
        #expect(a != b && a.hasPrefix("whsec_"))
        #expect(Data(base64Encoded: String(a.dropFirst(6)))?.count == 32)
    }
}
