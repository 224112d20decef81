import AsyncHTTPClient
import ChildProcess
import Foundation
import NIOCore
import Testing
@testable import Functions

/// The purge requests a deletion sends: Varnish's ban, and CloudFront's CreateInvalidation checked against
/// botocore (its own serializer for the body's content, its SigV4Auth for the signature of our exact request).
@Suite struct CachePurgeTests {
    let id = UUID(uuidString: "0C4C2D1E-7F43-4B43-9F0A-2D3C8B8E3F11")!
    let date = Date(timeIntervalSince1970: 1_764_158_400)  // 2025-11-26T12:00:00Z

    @Test func varnishGetsABanOfTheImage() throws {
        let request = try CachePurge(target: .varnish("http://127.0.0.1:8080")).request(for: id, date: date)
        #expect(request.method.rawValue == "BAN" && request.url == "http://127.0.0.1:8080/")
        #expect(request.headers["X-Ban-Image"] == ["0c4c2d1e-7f43-4b43-9f0a-2d3c8b8e3f11"])
    }

    @Test func cloudFrontGetsAnInvalidationSignedAsBotocoreSignsIt() async throws {
        let credentials = CachePurge.AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token/+="
        )
        let request = try CachePurge(target: .cloudFront(distributionID: "E2QWRUHAPOMQZL", credentials: credentials))
            .request(for: id, date: date)
        #expect(request.method == .POST)
        #expect(request.url == "https://cloudfront.amazonaws.com/2020-05-31/distribution/E2QWRUHAPOMQZL/invalidation")
        var body = Data()
        for try await chunk in try #require(request.body) { body.append(contentsOf: chunk.readableBytesView) }
        let script = """
            import sys, json, datetime, xml.etree.ElementTree as ET
            import botocore.auth, botocore.session
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            botocore.auth.get_current_datetime = lambda *a, **k: datetime.datetime(2025, 11, 26, 12, 0, 0)
            spec = json.load(sys.stdin)
            body = bytes.fromhex(spec["body"])
            # The signature of our exact request.
            request = AWSRequest(method="POST", url=spec["url"], data=body, headers=spec["headers"])
            botocore.auth.SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token/+="), "cloudfront", "us-east-1").add_auth(request)
            # botocore's own body for the same call, compared as XML.
            client = botocore.session.get_session().create_client("cloudfront", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
            captured = {}
            class Stop(Exception): pass
            def capture(request, **kwargs):
                captured["url"], captured["body"] = request.url, request.body
                raise Stop()
            client.meta.events.register("before-send", capture)
            try:
                client.create_invalidation(DistributionId="E2QWRUHAPOMQZL", InvalidationBatch=spec["batch"])
            except Stop:
                pass
            # Element order aside (botocore writes members in the order of the parameters it is given, which
            # JSON does not keep), the same elements with the same text under the same parents.
            def tree(xml):
                def walk(e, path):
                    here = path + "/" + e.tag.split("}")[-1]
                    return [(here, (e.text or "").strip())] + [x for c in e for x in walk(c, here)]
                return sorted(walk(ET.fromstring(xml), ""))
            print(json.dumps({"authorization": request.headers["Authorization"], "url": captured["url"],
                              "same_body": tree(captured["body"]) == tree(body)}))
            """
        let headers = request.headers.filter { $0.name.lowercased() != "authorization" }
        let spec: [String: Any] = [
            "url": request.url, "body": body.map { String(format: "%02x", $0) }.joined(),
            "headers": Dictionary(headers.map { ($0.name, $0.value) }) { $1 },
            "batch": [
                "Paths": ["Quantity": 3, "Items": CachePurge.paths(of: id)],
                "CallerReference": "delete-0c4c2d1e-7f43-4b43-9f0a-2d3c8b8e3f11-1764158400",
            ],
        ]
        let result = try await ChildProcess.run(
            "/usr/bin/env", ["python3", "-c", script], input: try JSONSerialization.data(withJSONObject: spec), output: .captureMerged
        )
        try #require(result.status == 0, "botocore is needed as the oracle (pip install botocore): \(result.text)")
        let theirs = try #require(try JSONSerialization.jsonObject(with: Data(result.text.utf8)) as? [String: Any])
        #expect(request.headers["Authorization"].first == theirs["authorization"] as? String)
        #expect(request.url == theirs["url"] as? String)
        #expect(theirs["same_body"] as? Bool == true)
        #expect(CachePurge.paths(of: id) == ["/images/0c4c2d1e-7f43-4b43-9f0a-2d3c8b8e3f11", "/images/0c4c2d1e-7f43-4b43-9f0a-2d3c8b8e3f11/*", "/image/0c4c2d1e-7f43-4b43-9f0a-2d3c8b8e3f11"])
    }
}
