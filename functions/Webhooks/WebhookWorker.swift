import Foundation
import FunctionRuntime
import Storage

/// The queue-triggered delivery of webhook events. Each message names one delivery; the worker takes it for
/// one attempt (`WebhookRepository.claimAttempt`: a duplicate, early or finished one does nothing), POSTs it
/// signed (`WebhookSender`), and records the attempt. A 2xx delivers it. Anything else is retried after the
/// next of `WEBHOOK_RETRY_SECONDS` through its delay queue; with no delays left the delivery is dead-lettered
/// (`failed`), all of it visible in `GET /webhooks/{id}/deliveries`. Only storage trouble throws, so the
/// broker redelivers the message; the claim then makes the next consumer wait until this attempt is stale.
struct WebhookWorker: QueueHandler {
    let webhooks: WebhookRepository
    let dispatch: WebhookDispatch
    let sender: WebhookSender
    let retryDelays: [Int]
    /// An attempt started longer ago than this was cut short (its process died); another may start.
    let staleAfterSeconds: Double

    init(environment: FunctionEnvironment) throws {
        let dispatch = try WebhookDispatch(environment: environment)
        self.dispatch = dispatch
        webhooks = dispatch.webhooks
        let settings = environment.configuration.webhooks
        sender = WebhookSender(timeoutSeconds: settings.timeoutSeconds, policy: settings.targets)
        retryDelays = settings.retryDelays
        staleAfterSeconds = Double(settings.timeoutSeconds + 15)
    }

    func handle(_ message: RabbitMQEvent.Message, context: InvocationContext) async throws {
        guard let job = WebhookJob(message) else {
            context.logger.error("webhook message dropped: not a delivery")
            return
        }
        guard let claimed = try await webhooks.claimAttempt(job.delivery_id, staleAfter: staleAfterSeconds) else {
            context.logger.debug("webhook message skipped: delivered, failed, gone, not due or being attempted")
            return
        }
        let number = claimed.delivery.attempts.count + 1
        let attempt: WebhookDelivery.Attempt
        let outcome: WebhookRepository.Outcome
        if let body = WebhookEvent.body(of: claimed.delivery) {
            attempt = await sender.send(claimed, body: body)
            if let status = attempt.status_code, (200..<300).contains(status) {
                outcome = .delivered
            } else {
                outcome = number <= retryDelays.count ? .retry(afterSeconds: retryDelays[number - 1]) : .failed
            }
        } else {
            // No attempt can ever send it: dead-lettered at once.
            attempt = WebhookDelivery.Attempt(started: Date(), error: "the event could not be read")
            outcome = .failed
        }
        try await webhooks.record(attempt, of: claimed.delivery.id, outcome: outcome)
        switch outcome {
        case .delivered: ServiceMetrics.count("imagefunctions_webhook_deliveries_total", "delivered")
        case .retry: ServiceMetrics.count("imagefunctions_webhook_deliveries_total", "retried")
        case .failed: ServiceMetrics.count("imagefunctions_webhook_deliveries_total", "failed")
        }
        context.logger.info(
            "webhook attempt",
            metadata: [
                "delivery.id": "\(claimed.delivery.id.uuidString.lowercased())", "attempt": "\(number)",
                "status": "\(attempt.status_code.map(String.init) ?? "-")", "outcome": "\(outcome)",
            ]
        )
        if case .retry(let seconds) = outcome {
            do {
                try await dispatch.publish(claimed.delivery.id, delaySeconds: seconds)
            } catch {
                context.logger.warning("webhook retry left for the sweeper", metadata: ["error.message": "\(error)"])
            }
        }
    }
}

/// Drains the webhook queue's dead letters: messages the worker threw on at every delivery (storage down).
/// Their deliveries are still pending in PostgreSQL, and the sweeper queues them again once overdue, so
/// nothing is lost by acknowledging them here; the log says how many there were.
struct WebhookDeadLetterFunction: QueueHandler {
    func handle(_ message: RabbitMQEvent.Message, context: InvocationContext) async throws {
        let id = WebhookJob(message).map { $0.delivery_id.uuidString.lowercased() } ?? "unreadable"
        context.logger.warning("webhook message dead-lettered; the sweeper queues its delivery again", metadata: ["delivery.id": "\(id)"])
    }
}
