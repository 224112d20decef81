import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Storage

/// One attempt: POSTs the signed body to the webhook's URL and says how it went. Redirects are not followed
/// (a 3xx is a failed attempt: the target would choose where this service sends requests); the answer's body
/// is read up to 64 KiB and dropped. Errors are described in words safe to show the webhook's owner.
struct WebhookSender: Sendable {
    let timeoutSeconds: Int
    let policy: WebhookTarget.Policy

    /// One client per process: connections to a receiver are kept alive between its deliveries.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    func send(_ delivery: ClaimedDelivery, body: [UInt8]) async -> WebhookDelivery.Attempt {
        let started = Date()
        func attempt(status: Int? = nil, error: String? = nil) -> WebhookDelivery.Attempt {
            WebhookDelivery.Attempt(started: started, statusCode: status, error: error)
        }
        switch WebhookTarget.parse(delivery.url, policy: policy) {
        case .failure(let refusal):
            return attempt(error: "the URL is refused: it \(refusal.message)")
        case .success(let target):
            if let refusal = await offloadedCheck(target) { return attempt(error: "the URL is refused: \(refusal.message)") }
        }
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "ImageFunctions-Webhooks/1")
        let id = delivery.delivery.id.uuidString.lowercased()
        for (name, value) in WebhookSignature.headers(id: id, timestamp: Int(started.timeIntervalSince1970), body: body, secret: delivery.secret) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await Self.client.execute(request, timeout: .seconds(Int64(timeoutSeconds)))
            _ = try? await response.body.collect(upTo: 64 << 10)
            let status = Int(response.status.code)
            switch status {
            case 200..<300: return attempt(status: status)
            case 300..<400: return attempt(status: status, error: "redirects are not followed; give the final URL")
            default: return attempt(status: status, error: "the receiver answered \(status)")
            }
        } catch {
            return attempt(error: Self.describe(error, timeout: timeoutSeconds))
        }
    }

    /// The resolver blocks: it runs off the event loops.
    private func offloadedCheck(_ target: WebhookTarget) async -> WebhookTarget.Refusal? {
        let policy = self.policy
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: target.checkResolvedAddresses(policy: policy)) }
        }
    }

    static func describe(_ error: any Error, timeout: Int) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout: return "no answer within \(timeout) s"
            case .remoteConnectionClosed: return "the receiver closed the connection without an answer"
            default: break
            }
        }
        let text = String(describing: error)
        if text.contains("connectTimeout") || text.contains("Timeout") { return "no answer within \(timeout) s" }
        if text.contains("NIOSSL") || text.contains("handshake") || text.contains("certificate") {
            return "the TLS handshake failed (the receiver's certificate must be valid for its host)"
        }
        if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("NIOConnectionError") {
            return "the connection was refused"
        }
        return "the request failed before an answer"
    }
}
