/// Runs a call to PostgreSQL, S3 or the broker on behalf of a request: its failure is the service being
/// unavailable (503 with `Retry-After`), never the client's fault. An `APIError` passes through unchanged.
func storage<T>(_ body: () async throws -> T) async throws(APIError) -> T {
    do {
        return try await body()
    } catch let error as APIError {
        throw error
    } catch {
        throw APIError(.unavailable, "the service is unavailable; try again shortly", underlying: error)
    }
}
