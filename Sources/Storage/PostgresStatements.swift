import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs a statement whose rows are not wanted; a failure is the store's `unavailable`, as for every write.
    func execute(_ query: PostgresQuery, logger: Logger) async throws(StorageError) {
        do {
            try await self.query(query, logger: logger)
        } catch {
            throw StorageError(.unavailable, "the database could not be written", underlying: error)
        }
    }
}
