import CVips
import Foundation

/// libvips, set up once per process: started, its operation cache off (every request is different, and a
/// cache keeps pixels of other users' images), untrusted loaders blocked, and threads chosen for how the
/// process runs.
public enum Vips {
    public enum Concurrency: Sendable {
        /// One job at a time per process (a Lambda or local-runtime worker): all cores for that job.
        case oneJobPerProcess
        /// Many jobs share the process: one thread each, so jobs do not fight over cores.
        case sharedServer
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var started = false

    /// Starts libvips; later calls do nothing. Throws when libvips cannot start.
    public static func setUp(concurrency: Concurrency = .oneJobPerProcess) throws(ImagingError) {
        lock.lock()
        defer { lock.unlock() }
        guard !started else { return }
        // libvips prints a GLib warning per damaged tile or chunk to stderr: a crafted file can flood the logs,
        // and the typed error already says what went wrong. VIPS_WARNING set (to anything) before init turns
        // them off; an operator who wants them sets VIPS_WARNING_LOGS=1.
        if ProcessInfo.processInfo.environment["VIPS_WARNING_LOGS"] != "1" { setenv("VIPS_WARNING", "0", 0) }
        guard cvips_init("image-functions") == 0 else {
            throw ImagingError(.transformationFailed, "the image library could not start", detail: takeError())
        }
        vips_cache_set_max(0)
        vips_cache_set_max_mem(0)
        vips_cache_set_max_files(0)
        // Blocks loaders marked untrusted (e.g. matload, the ImageMagick and PDF loaders); our own allow-list of
        // loaders applies on top, before any loader runs.
        vips_block_untrusted_set(1)
        // Decoded pixels and image bytes are large and short-lived: with the threshold fixed they go back to
        // the system after each job, and a worker's RSS falls back to about 80 MB after a 13 MP photo instead
        // of keeping 180 MB (infra/bench/compare; the transform time did not change).
        _ = cvips_fix_mmap_threshold(256 << 10)
        switch concurrency {
        case .oneJobPerProcess: vips_concurrency_set(Int32(threadsPerJob))
        case .sharedServer: vips_concurrency_set(1)
        }
        started = true
    }

    /// libvips threads for a process's one job: `IMAGING_THREADS` when set, else every core. Measured with 2
    /// workers on 2 cores, one thread each (workers x threads = cores) made a new variant's imaging 43 → 55 ms
    /// at c=1 and did not move c=2 beyond the runs' spread, so the default stays every core (README).
    public static var threadsPerJob: Int {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard let text = ProcessInfo.processInfo.environment["IMAGING_THREADS"], let threads = Int(text), threads > 0 else { return cores }
        return min(threads, max(cores, 1) * 4)
    }

    /// Reads and clears libvips's error buffer (per thread in libvips 8.14).
    @discardableResult
    static func takeError() -> String {
        let text = vips_error_buffer().map { String(cString: $0) } ?? ""
        vips_error_clear()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Bytes of pixel memory libvips has allocated and not freed; flat across many jobs means no leak.
    public static var trackedMemory: Int { Int(vips_tracked_get_mem()) }

    /// Pixel buffers libvips has allocated and not freed.
    public static var trackedAllocations: Int { Int(vips_tracked_get_allocs()) }
}
