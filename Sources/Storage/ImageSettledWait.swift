import Foundation
import PostgresNIO

/// Waiting for an image to become ready or failed by notification, not by polling: migration 7's trigger
/// sends `NOTIFY image_settled, '<id>'` when it settles or is deleted.
extension ImageRepository {
    /// The image once it is ready or failed, or as it is when `limit` passes first; nil when it is gone.
    /// One pooled connection LISTENs for the whole wait, and the row is read on it after LISTEN took effect,
    /// so a change in between is either seen by that read or announced after it. The row is read again on
    /// each notification of this image and at least every second, in case one is lost with its connection.
    public func settled(_ id: UUID, owner: UUID, within limit: Duration) async throws(StorageError) -> ImageRecord? {
        let deadline = ContinuousClock.now + limit
        let payload = id.uuidString.lowercased()
        let select: PostgresQuery = "SELECT \(unescaped: Self.columns) FROM images WHERE id = \(id) AND owner_id = \(owner)"
        do {
            return try await client.postgres.withConnection { connection in
                try await connection.listen(on: "image_settled") { notifications in
                    // One stream of reasons to read the row again: a notification of this image, or a tick.
                    let (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
                    return try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await notification in notifications where notification.payload == payload { wake.yield() }
                        }
                        group.addTask {
                            while !Task.isCancelled {
                                let remaining = deadline - ContinuousClock.now
                                if remaining > .zero { try? await Task.sleep(for: min(remaining, .seconds(1))) }
                                wake.yield()
                                if remaining <= .zero { return }
                            }
                        }
                        defer {
                            group.cancelAll()
                            wake.finish()
                        }
                        func read() async throws -> ImageRecord? {
                            for try await row in try await connection.query(select, logger: logger) { return try Self.decode(row) }
                            return nil
                        }
                        var image = try await read()
                        var next = wakeups.makeAsyncIterator()
                        while true {
                            guard let current = image else { return nil }
                            if current.status == .ready || current.status == .failed || ContinuousClock.now >= deadline { return current }
                            guard await next.next() != nil else { return current }
                            image = try await read()
                        }
                    }
                }
            }
        } catch {
            throw StorageError(.unavailable, "the database could not be read", underlying: error)
        }
    }
}
