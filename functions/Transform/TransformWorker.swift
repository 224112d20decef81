import Foundation
import FunctionRuntime
import Imaging
import Storage

/// The queue-triggered worker: makes the variant a job names. Idempotent: a job for a variant that is gone
/// (deleted) or already done ends without doing anything; the variant's key comes from its source and spec
/// hash, so a redelivered job writes the same object. A permanent failure (the source does not decode, the
/// spec does not fit) marks the variant failed and acknowledges the job; anything else (storage down) throws,
/// so the broker redelivers it.
struct TransformWorker: QueueHandler {
    let images: ImageRepository
    let store: S3Client

    init(environment: FunctionEnvironment) throws {
        guard let store = environment.s3 else { throw ConfigurationError("S3_ENDPOINT is not set") }
        self.store = store
        images = ImageRepository(client: try environment.requirePostgres(), logger: environment.logger)
    }

    func handle(_ message: RabbitMQEvent.Message, context: InvocationContext) async throws {
        guard let job = TransformJob(message) else {
            context.logger.error("job dropped: not a transform job")
            return  // a malformed job can never succeed: acknowledge it
        }
        InvocationRecord.noteUser(job.owner_id.uuidString.lowercased())
        var logger = context.logger
        logger[metadataKey: "image.id"] = .string(job.variant_id.uuidString.lowercased())
        guard let variant = try await images.find(job.variant_id, owner: job.owner_id),
            variant.status == .queued || variant.status == .processing,
            let sourceID = variant.sourceID, let specJSON = variant.transformations, let hash = variant.specHash
        else {
            logger.debug("job skipped: the variant is gone or done")
            return
        }
        guard let source = try await images.find(sourceID, owner: job.owner_id), let sourceKey = source.objectKey else {
            return  // the source was deleted: nothing to make
        }
        _ = try await images.markProcessing(variant.id)
        let spec: TransformationSpec
        do {
            spec = try TransformationSpec.parse(body: JSONDecoder().decode(JSONValue.self, from: Data(#"{"transformations":\#(specJSON)}"#.utf8)))
        } catch {
            _ = try await images.markFailed(variant.id, code: "invalid_transformation", message: "the stored transformations could not be read")
            return
        }
        let bytes = try await store.getObject(key: sourceKey)
        let result: EncodedImage
        do {
            result = try await offloaded { try ImageProcessor.process(try ImageSource(bytes: [UInt8](bytes)), spec: spec) }
        } catch let error as ImagingError {
            logger.warning("variant failed", metadata: ["error.code": "\(error.code)", "error.detail": "\(error.detail ?? "")"])
            _ = try await images.markFailed(variant.id, code: error.code.rawValue, message: error.message)
            return
        }
        let key = ObjectKeys.variant(owner: job.owner_id, source: sourceID, specHash: hash)
        try await store.putObject(key: key, body: Data(result.bytes), contentType: result.format.contentType)
        let marked = try await images.markReady(
            variant.id, width: result.width, height: result.height, sizeBytes: result.bytes.count, objectKey: key,
            contentHash: ImageService.contentHash(result.bytes)
        )
        if marked == nil {
            // The image was deleted while the variant was being made: take back what was just written.
            try await store.deleteObject(key: key)
            logger.debug("job ended: the image was deleted meanwhile")
        }
    }
}
