import Foundation
import Testing

/// The service's own metrics at `/metrics`, as the functions report them (CloudWatch's embedded metric format
/// on their standard output, read by local-runtime): every series at 0 before its first event, then counted
/// as uploads, variants made and failed, refusals and the sweeper's gauges happen.
@Suite struct ServiceMetricsEndToEndTests {
    typealias I = ImagesEndToEndTests
    let t = TransformEndToEndTests()

    /// The value of one sample line (`name{labels} value`), or nil when the page has no such line.
    static func sample(_ page: String, _ series: String) -> Double? {
        for line in page.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func theServicesMetricsStartAtZeroAndCountWhatHappens() async throws {
        try await ScratchDatabase.with { url in
            try await RuntimeHarness.with(
                binary: RuntimeHarness.imageFunctionsBinary, startup: ["migrate"],
                environment: [
                    "DATABASE_URL": url, "JWT_SECRET": AccountsEndToEndTests.secret, "LOG_LEVEL": "error",
                    "RATE_LIMIT_TRANSFORMS": "1/min burst 2",
                ],
                consumeQueues: true
            ) { h in
                let before = try await h.request(.GET, "/metrics").text
                for series in [
                    "imagefunctions_variants_made_total", #"imagefunctions_variants_failed_total{code="corrupt_image"}"#,
                    #"imagefunctions_variants_failed_total{code="transformation_abandoned"}"#, "imagefunctions_upload_bytes_count",
                    #"imagefunctions_imaging_seconds_count{kind="variant"}"#, #"imagefunctions_webhook_deliveries_total{outcome="failed"}"#,
                    #"imagefunctions_rate_limit_refusals_total{action="transforms"}"#, #"imagefunctions_bytes_stored{kind="originals"}"#,
                    "imagefunctions_transform_queue_depth", "imagefunctions_transform_queue_oldest_seconds",
                    #"worker_restarts_total{function="transform-worker"}"#,
                ] {
                    #expect(Self.sample(before, series) == 0, "\(series) at 0 from the start")
                }
                #expect(before.contains("queue_redeliveries_total{queue="), "redeliveries at 0 from the start")

                let alice = try await I.signUp(h, "alice")
                let dune = try I.photo("Dune.jpg")
                let id = try #require(try await alice.upload(dune).json()["id"] as? String)
                let gulp = try #require(try await alice.upload(try I.photo("Gulp.png"), filename: "Gulp.png", type: "image/png").json()["id"] as? String)
                #expect(try await t.transform(alice, id, #"{"resize":{"width":200}}"#, wait: 20).json()["status"] as? String == "ready")
                // A variant of an original whose bytes are gone fails with original_missing; the next is refused.
                try await RuntimeHarness.objectStore().deleteObject(key: "originals/\(alice.userID)/\(gulp)")
                #expect(try await t.transform(alice, gulp, #"{"flip":true}"#, wait: 20).json()["status"] as? String == "failed")
                #expect(try await t.transform(alice, id, #"{"resize":{"width":300}}"#).status == 429)
                _ = try await h.runtime.invoke("sweeper")

                var page = ""
                let counted = await h.eventually(timeout: .seconds(10)) {
                    page = (try? await h.request(.GET, "/metrics").text) ?? ""
                    return Self.sample(page, "imagefunctions_transform_queue_depth") != nil
                        && Self.sample(page, #"imagefunctions_bytes_stored{kind="originals"}"#) ?? 0 > 0
                        && Self.sample(page, #"imagefunctions_rate_limit_refusals_total{action="transforms"}"#) == 1
                }
                #expect(counted, "\(page)")
                #expect(Self.sample(page, "imagefunctions_upload_bytes_count") == 2)
                #expect(Self.sample(page, "imagefunctions_upload_bytes_sum") == Double(dune.count + (try I.photo("Gulp.png")).count))
                #expect(Self.sample(page, #"imagefunctions_imaging_seconds_count{kind="original"}"#) == 2)
                #expect(Self.sample(page, "imagefunctions_variants_made_total") == 1)
                #expect(Self.sample(page, #"imagefunctions_imaging_seconds_count{kind="variant"}"#) == 1)
                #expect((Self.sample(page, #"imagefunctions_imaging_seconds_sum{kind="variant"}"#) ?? 0) > 0)
                #expect(Self.sample(page, #"imagefunctions_variants_failed_total{code="original_missing"}"#) == 1)
                // The originals still stored (Gulp's row says its bytes; the gauge sums rows that are ready).
                #expect((Self.sample(page, #"imagefunctions_bytes_stored{kind="variants"}"#) ?? 0) > 0)
                #expect(Self.sample(page, "imagefunctions_transform_queue_depth") == 0)
            }
        }
    }
}
