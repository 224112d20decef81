import Crypto
import Foundation
import FunctionRuntime
import Imaging
import Storage

/// What the image functions share: the repository, the object store and its cache, the limits, presigning, and
/// the webhooks of variants made here. Who is asking is `AccountService`'s business, not this one's.
struct ImageService: Sendable {
    let images: ImageRepository
    let store: S3Client
    /// This process's recently used objects, in front of `store` for reads of immutable bytes.
    let objects: ObjectCache
    let limits: ImageLimits
    /// Lifetimes of presigned URLs (redirected downloads, presigned uploads).
    let presignedDownloadSeconds: Int
    let presignedUploadSeconds: Int
    /// Queues webhook deliveries of variants made here (URL transformations, `?format=`).
    let webhooks: WebhookDispatch?
    /// Where deletions queue the purge of the cache tier in front (nil without a broker).
    let cachePurges: CachePurgeQueue?
    /// Each user's storage quota (none by default).
    let quota: StorageQuota

    init(environment: FunctionEnvironment) async throws {
        store = try environment.require(.objectStore)
        objects = environment.objectCache
        images = ImageRepository(client: try environment.require(.database), logger: environment.logger)
        limits = .default
        presignedDownloadSeconds = environment.configuration.presignedDownloadSeconds
        presignedUploadSeconds = environment.configuration.presignedUploadSeconds
        webhooks = WebhookDispatch(ifConfiguredIn: environment)
        quota = StorageQuota(limit: environment.configuration.storageQuotaBytes)
        cachePurges = environment.publisher.map { CachePurgeQueue(publisher: $0, queue: environment.configuration.cachePurgeQueue) }
    }

    /// The image of `id` if it belongs to the caller; 404 for anything else, another user's id included.
    func image(_ idText: String?, of owner: UUID) async throws -> ImageRecord {
        guard let idText, let id = UUID(pathID: idText),
            let image = try await InvocationRecord.stage("sql.image", { try await images.find(id, owner: owner) })
        else {
            throw APIError(.notFound, "no such image")
        }
        return image
    }

    /// Reads, checks and stores an upload: the object first, then its row, so a crash between the two leaves
    /// an orphan object (swept later), never a row without bytes.
    /// Once the image is valid and before anything is written, the owner's quota is checked with the bytes that
    /// would be stored, then `beforeStoring` runs (the upload rate limit: a refusal costs no allowance).
    func storeOriginal(
        bytes: [UInt8], filename: String?, owner: UUID, beforeStoring: () async throws -> Void = {}
    ) async throws -> ImageRecord {
        let limits = self.limits
        // A lossless JPEG master where one applies; a re-encode only where orientation, metadata or pixel format
        // require it; otherwise the bytes as uploaded, once every pixel is known to decode.
        let (source, stored, width, height, properties): (ImageSource, [UInt8], Int, Int, ImageProperties?)
        let started = ContinuousClock.now
        (source, stored, width, height, properties) = try await offloaded {
            let source = try ImageSource(bytes: bytes, limits: limits)
            let master = try ImageProcessor.master(of: bytes, source: source)
            let (stored, width, height) = (master.bytes, master.width, master.height)
            // The metadata read-out's properties of the stored bytes, while the upload's orientation is
            // known. A failure here costs the upload nothing: they are computed on first read instead.
            let properties = try? ImageProperties.analyze(stored, orientationApplied: source.orientation)
            return (source, stored, width, height, properties)
        }
        ServiceMetrics.record("imagefunctions_imaging_seconds", (ContinuousClock.now - started).seconds, "original")
        try await quota.admit(stored.count, owner: owner, images: images, what: "this image")
        try await beforeStoring()
        let id = UUID()
        let key = ObjectKeys.original(owner: owner, image: id)
        try await store.putObject(key: key, body: Data(stored), contentType: source.format.contentType)
        let record = ImageRecord(
            id: id, ownerID: owner, filename: Self.displayName(filename, format: source.format), format: source.format.rawValue,
            contentType: source.format.contentType, width: width, height: height, sizeBytes: stored.count, objectKey: key,
            contentHash: Self.contentHash(stored), status: .ready
        )
        let image = try await images.insert(record)
        if let properties { await keep(properties, of: image.id) }
        ServiceMetrics.record("imagefunctions_upload_bytes", Double(bytes.count))
        return image
    }

    /// Stores an image's properties for the metadata read-out, best effort: a read that finds none computes
    /// them again.
    func keep(_ properties: ImageProperties, of id: UUID) async {
        guard let json = try? String(decoding: JSONEncoder().encode(properties), as: UTF8.self) else { return }
        try? await images.setProperties(of: id, json: json)
    }

    /// The row of a new queued variant of `source` (all it will be once made is decided by the spec).
    static func queuedVariant(of source: ImageRecord, spec: TransformationSpec, sourceFormat: ImageFormat) -> ImageRecord {
        let output = spec.outputFormat(source: sourceFormat)
        return ImageRecord(
            id: UUID(), ownerID: source.ownerID, sourceID: source.id, specHash: spec.hash, transformations: spec.canonicalJSON,
            filename: source.filename, format: output.rawValue, contentType: output.contentType, width: nil, height: nil,
            sizeBytes: nil, objectKey: nil, contentHash: nil, status: .queued
        )
    }

    /// A display name: directory parts, control characters and bidirectional controls removed, at most 255
    /// Unicode scalars.
    static func displayName(_ name: String?, format: ImageFormat) -> String {
        let last = (name ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(String.UnicodeScalarView(last.unicodeScalars.filter {
            $0.properties.generalCategory != .control && !bidiControls.contains($0.value)
        })).trimmingCharacters(in: .whitespaces)
        return clean.isEmpty || clean == "." || clean == ".." ? "upload.\(format.rawValue)" : capped(clean)
    }

    /// Bidirectional controls (U+202A-U+202E, U+2066-U+2069, the marks U+200E, U+200F and U+061C): in a name they
    /// make `gpj.exe` read as `exe.jpg`.
    static let bidiControls: Set<UInt32> = [0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]

    /// At most 255 Unicode scalars (so at most 1,020 bytes of UTF-8), cut between characters where one fits.
    /// Characters alone did not bound it: "e" and 50,000 combining accents are one character of 100 KB.
    static func capped(_ name: String, scalars limit: Int = 255) -> String {
        guard name.unicodeScalars.count > limit else { return name }
        var kept = "", count = 0
        for character in name {
            let size = character.unicodeScalars.count
            guard count + size <= limit else { break }
            kept.append(character)
            count += size
        }
        return kept.isEmpty ? String(String.UnicodeScalarView(name.unicodeScalars.prefix(limit))) : kept
    }

    static func contentHash(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
