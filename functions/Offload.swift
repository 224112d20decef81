import NIOPosix

/// Runs blocking work (libvips, Argon2) on NIO's shared thread pool, never on the event loop.
func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(body)
}
