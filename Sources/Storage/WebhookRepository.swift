import Foundation
import Logging
import PostgresNIO

/// All SQL about webhooks and their deliveries (migration 9), scoped to the owner wherever a user asks.
/// Deliveries are written by the `images` trigger; this hands them to the queue, lets one consumer at a time
/// attempt each, and records how every attempt went.
public struct WebhookRepository: Sendable {
    let client: DatabasePool
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = DatabasePool(client)
        self.logger = logger
    }

    // MARK: Webhooks

    /// Stores the webhook unless its owner has `limit` already; false then.
    public func create(_ webhook: WebhookRecord, limit: Int) async throws(StorageError) -> Bool {
        let rows = try await ids(
            """
            INSERT INTO webhooks (id, owner_id, url, secret, events, description, created_at)
            SELECT \(webhook.id), \(webhook.ownerID), \(webhook.url), \(webhook.secret), \(webhook.events), \(webhook.description), \(webhook.createdAt)
            WHERE (SELECT count(*) FROM webhooks WHERE owner_id = \(webhook.ownerID)) < \(limit)
            RETURNING id
            """
        )
        return !rows.isEmpty
    }

    /// The owner's webhooks, newest first.
    public func list(owner: UUID) async throws(StorageError) -> [WebhookRecord] {
        try await webhooks("SELECT \(unescaped: Self.webhookColumns) FROM webhooks WHERE owner_id = \(owner) ORDER BY created_at DESC, id DESC")
    }

    public func find(_ id: UUID, owner: UUID) async throws(StorageError) -> WebhookRecord? {
        try await webhooks("SELECT \(unescaped: Self.webhookColumns) FROM webhooks WHERE id = \(id) AND owner_id = \(owner)").first
    }

    /// Deletes the webhook and its deliveries; false when the owner has no such webhook.
    public func delete(_ id: UUID, owner: UUID) async throws(StorageError) -> Bool {
        !(try await ids("DELETE FROM webhooks WHERE id = \(id) AND owner_id = \(owner) RETURNING id")).isEmpty
    }

    // MARK: Deliveries as a user reads them

    /// A webhook's deliveries, newest first, and how many there are.
    public func deliveries(of webhook: UUID, limit: Int, offset: Int) async throws(StorageError) -> (deliveries: [WebhookDelivery], total: Int) {
        do {
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.deliveryColumns(prefix: "")), (count(*) OVER ())::int
                FROM webhook_deliveries WHERE webhook_id = \(webhook)
                ORDER BY created_at DESC, id DESC LIMIT \(limit) OFFSET \(offset)
                """,
                logger: logger
            )
            var deliveries: [WebhookDelivery] = []
            var total = 0
            for try await row in rows {
                deliveries.append(try Self.delivery(row))
                total = try row.makeRandomAccess()[10].decode(Int.self)
            }
            if deliveries.isEmpty, offset > 0 {
                total = try await count("SELECT count(*)::int FROM webhook_deliveries WHERE webhook_id = \(webhook)")
            }
            return (deliveries, total)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.unavailable, "the database could not read the deliveries", underlying: error)
        }
    }

    // MARK: Deliveries as the queue works them

    /// The deliveries a settled image's trigger recorded and nobody has queued yet, now marked queued.
    public func queueRecorded(image: UUID) async throws(StorageError) -> [UUID] {
        try await ids("UPDATE webhook_deliveries SET queued_at = now() WHERE image_id = \(image) AND queued_at IS NULL RETURNING id")
    }

    /// Pending deliveries that should have been attempted more than `grace` seconds ago and were not queued
    /// since: their message was never published (a crash after the commit) or got lost. Marked queued again,
    /// so two sweeps at once do not both hand them out.
    public func claimOverdue(grace: Double, limit: Int) async throws(StorageError) -> [UUID] {
        try await ids(
            """
            UPDATE webhook_deliveries SET queued_at = now()
            WHERE id IN (
                SELECT id FROM webhook_deliveries
                WHERE state = 'pending' AND next_attempt_at < now() - \(grace) * interval '1 second'
                  AND (queued_at IS NULL OR queued_at < now() - \(grace) * interval '1 second')
                ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            )
            RETURNING id
            """
        )
    }

    /// Takes the delivery for one attempt: it is pending, due (a message may arrive up to a second early) and
    /// no other consumer started an attempt within `staleAfter` seconds. Nil otherwise: delivered or failed
    /// already, deleted with its webhook, not due yet, or being attempted, so a duplicate message does nothing.
    public func claimAttempt(_ id: UUID, staleAfter: Double) async throws(StorageError) -> ClaimedDelivery? {
        do {
            let rows = try await client.query(
                """
                UPDATE webhook_deliveries d SET attempt_started_at = now()
                FROM webhooks w
                WHERE d.id = \(id) AND w.id = d.webhook_id AND d.state = 'pending'
                  AND d.next_attempt_at <= now() + interval '1 second'
                  AND (d.attempt_started_at IS NULL OR d.attempt_started_at < now() - \(staleAfter) * interval '1 second')
                RETURNING \(unescaped: Self.deliveryColumns(prefix: "d.")), w.url, w.secret
                """,
                logger: logger
            )
            for try await row in rows {
                let cells = row.makeRandomAccess()
                let (url, secret) = (try cells[10].decode(String.self), try cells[11].decode(String.self))
                return ClaimedDelivery(delivery: try Self.delivery(row), url: url, secret: secret)
            }
            return nil
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.unavailable, "the database could not claim the delivery", underlying: error)
        }
    }

    /// What an attempt ends in.
    public enum Outcome: Sendable, Equatable {
        case delivered
        /// Tried again in this many seconds.
        case retry(afterSeconds: Int)
        /// No attempts are left: the delivery is dead-lettered.
        case failed
    }

    /// Appends the attempt and moves the delivery on. A retry counts as queued now: its message goes to the
    /// delay queue next, and the sweeper steps in only if it never arrives.
    public func record(_ attempt: WebhookDelivery.Attempt, of id: UUID, outcome: Outcome) async throws(StorageError) {
        let json = (try? String(decoding: JSONEncoder().encode([attempt]), as: UTF8.self)) ?? "[]"
        let (state, delay): (WebhookDelivery.State, Int) = switch outcome {
        case .delivered: (.delivered, 0)
        case .retry(let seconds): (.pending, seconds)
        case .failed: (.failed, 0)
        }
        try await client.execute(
            """
            UPDATE webhook_deliveries SET
                attempts = attempts || \(json)::jsonb, attempt_started_at = NULL, state = \(state.rawValue),
                next_attempt_at = CASE WHEN \(state.rawValue) = 'pending' THEN now() + \(delay) * interval '1 second' ELSE next_attempt_at END,
                queued_at = CASE WHEN \(state.rawValue) = 'pending' THEN now() ELSE queued_at END,
                finished_at = CASE WHEN \(state.rawValue) = 'pending' THEN NULL ELSE now() END
            WHERE id = \(id)
            """,
            logger: logger
        )
    }

    // MARK: Rows

    static let webhookColumns = "id, owner_id, url, secret, events, description, created_at"
    /// The columns `delivery(_:)` reads, in its order, of the table aliased as `prefix`.
    static func deliveryColumns(prefix p: String) -> String {
        "\(p)id, \(p)webhook_id, \(p)event_type, \(p)image_id, \(p)snapshot::text, \(p)state, \(p)attempts::text, "
            + "\(p)next_attempt_at, \(p)created_at, \(p)finished_at"
    }

    static func delivery(_ row: PostgresRow) throws -> WebhookDelivery {
        let c = row.makeRandomAccess()
        let (id, webhook, type, image) = (try c[0].decode(UUID.self), try c[1].decode(UUID.self), try c[2].decode(String.self), try c[3].decode(UUID.self))
        let (snapshot, state, attempts) = (try c[4].decode(String.self), try c[5].decode(String.self), try c[6].decode(String.self))
        let (next, created, finished) = (try c[7].decode(Date.self), try c[8].decode(Date.self), try c[9].decode(Date?.self))
        let parsedState = WebhookDelivery.State(rawValue: state) ?? .pending
        return WebhookDelivery(
            id: id, webhookID: webhook, eventType: type, imageID: image, snapshot: snapshot, state: parsedState,
            attempts: (try? JSONDecoder().decode([WebhookDelivery.Attempt].self, from: Data(attempts.utf8))) ?? [],
            nextAttemptAt: parsedState == .pending ? next : nil, createdAt: created, finishedAt: finished
        )
    }

    private func webhooks(_ query: PostgresQuery) async throws(StorageError) -> [WebhookRecord] {
        do {
            var found: [WebhookRecord] = []
            for try await (id, owner, url, secret, events, description, created) in try await client.query(query, logger: logger)
                .decode((UUID, UUID, String, String, [String], String?, Date).self)
            {
                found.append(WebhookRecord(id: id, ownerID: owner, url: url, secret: secret, events: events, description: description, createdAt: created))
            }
            return found
        } catch {
            throw StorageError(.unavailable, "the database could not read the webhooks", underlying: error)
        }
    }

    private func ids(_ query: PostgresQuery) async throws(StorageError) -> [UUID] {
        do {
            var found: [UUID] = []
            for try await id in try await client.query(query, logger: logger).decode(UUID.self) { found.append(id) }
            return found
        } catch {
            throw StorageError(.unavailable, "the database could not be written", underlying: error)
        }
    }

    private func count(_ query: PostgresQuery) async throws -> Int {
        for try await n in try await client.query(query, logger: logger).decode(Int.self) { return n }
        return 0
    }
}
