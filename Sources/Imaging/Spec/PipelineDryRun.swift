import CVips

/// Checks a pipeline against the sizes its steps make, by running the steps that change the size (crops,
/// resizes with their padding, rotations) on a black image of the source's size. libvips images are lazy:
/// only headers are computed and no pixel is made, so the sizes are exactly those the real run will meet,
/// rounding included, at the cost of building a few headers.
enum PipelineDryRun {
    static func check(_ pipeline: [TransformationSpec.Step], from size: (width: Int, height: Int)) throws(SpecValidationError) {
        guard let sizes = sizes(pipeline, from: size) else { return }
        // `sizes` stops before the first crop that does not fit: the sizes after it are unknown.
        for (i, step) in pipeline.enumerated() where i < sizes.count {
            guard case .crop(let crop) = step else { continue }
            let image = sizes[i]
            guard crop.x + crop.width <= image.width, crop.y + crop.height <= image.height else {
                throw SpecValidationError([.init(
                    .step(i, ["crop"]),
                    "x + width must be at most \(image.width) and y + height at most \(image.height), the size of the image the steps before it make"
                )])
            }
        }
    }

    /// The size of the image before each step and after the last (one more than the steps), as the real run
    /// meets them. Shorter when a crop does not fit the size before it (it ends there, with that size) or a
    /// step fails; nil without libvips or a size.
    static func sizes(_ pipeline: [TransformationSpec.Step], from size: (width: Int, height: Int)) -> [(width: Int, height: Int)]? {
        guard size.width > 0, size.height > 0 else { return nil }
        do {
            try Vips.setUp()
        } catch {
            return nil  // no libvips: the worker's Crop checks the bounds again
        }
        var out: UnsafeMutablePointer<CVips.VipsImage>?
        guard cvips_black(&out, Int32(size.width), Int32(size.height), 3) == 0, let out else {
            Vips.takeError()
            return nil
        }
        var image = VipsImageRef(out)
        var sizes = [size]
        let context = RenderContext(outputFormat: .png)
        for step in pipeline {
            let operations: [any ImageOperation]
            switch step {
            case .crop(let crop):
                guard crop.x + crop.width <= image.width, crop.y + crop.height <= image.height else { return sizes }
                operations = [Crop(crop: crop)]
            case .resize, .rotate:
                operations = TransformationPlan.operations(of: [step], from: (image.width, image.height))
                    .filter { !($0 is Materialize) }
            case .flip, .mirror, .filters, .watermark:
                operations = []  // the size stays
            }
            do {
                for operation in operations { image = try operation.apply(to: image, context: context) }
            } catch {
                return sizes  // not a size question: the real run reports it
            }
            sizes.append((image.width, image.height))
        }
        return sizes
    }
}
