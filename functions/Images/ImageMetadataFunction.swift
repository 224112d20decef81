import Foundation
import FunctionRuntime
import Imaging
import Storage

/// `GET /images/{id}/metadata`: the `Image`, and for a ready one what a user asks of a photo beyond it (alpha,
/// colour space, frames, orientation applied at upload, dominant colour, BlurHash), read from the stored
/// bytes, so nothing stripped at upload comes back. Originals have them from their upload; images from
/// before and variants get them on their first read, kept for the next.
struct ImageMetadataFunction: APIFunction {
    let service: ImageService
    /// Who is asking: the bearer token\'s user.
    let accounts: AccountService
    /// Signs the display renditions' URLs of an original.
    let signer: URLSigner

    func handle(_ request: APIGatewayV2Request, context: InvocationContext) async throws -> APIGatewayV2Response {
        let user = try await accounts.currentUser(request, access: .scope(.imagesRead))
        let image = try await service.image(request.pathParameters?["id"], of: user.id)
        return .json(ImageMetadataJSON(image: ImageJSON(image, displayURLsSignedBy: signer), properties: try await properties(of: image, logger: context)))
    }

    func properties(of image: ImageRecord, logger context: InvocationContext) async throws -> ImageProperties? {
        guard image.status == .ready, let key = image.objectKey else { return nil }
        if let json = try await service.images.properties(of: image.id, owner: image.ownerID),
            let stored = try? JSONDecoder().decode(ImageProperties.self, from: Data(json.utf8))
        {
            return stored
        }
        let bytes = try await service.objects.object(key, hash: image.contentHash, from: service.store)
        let computed: ImageProperties
        do {
            let started = ContinuousClock.now
            computed = try await offloaded { try ImageProperties.analyze([UInt8](bytes)) }
            ServiceMetrics.record("imagefunctions_imaging_seconds", (ContinuousClock.now - started).seconds, "properties")
        } catch {
            // The bytes were accepted once; what cannot be read now is reported as unknown, not as an error.
            context.logger.warning("image properties could not be computed", metadata: ["error.detail": "\(error)"])
            return nil
        }
        await service.keep(computed, of: image.id)
        return computed
    }
}

/// The `ImageMetadata` object: the `Image`'s fields and the properties', null until the image is ready.
struct ImageMetadataJSON: Encodable {
    var image: ImageJSON
    var properties: ImageProperties?

    enum CodingKeys: String, CodingKey {
        case hasAlpha = "has_alpha", colorSpace = "color_space", frameCount = "frame_count"
        case orientationApplied = "orientation_applied", dominantColor = "dominant_color", blurhash
    }

    func encode(to encoder: any Encoder) throws {
        try image.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(properties?.hasAlpha, forKey: .hasAlpha)
        try c.encode(properties?.colorSpace, forKey: .colorSpace)
        try c.encode(properties?.frameCount, forKey: .frameCount)
        try c.encode(properties?.orientationApplied, forKey: .orientationApplied)
        try c.encode(properties?.dominantColor, forKey: .dominantColor)
        try c.encode(properties?.blurhash, forKey: .blurhash)
    }
}
