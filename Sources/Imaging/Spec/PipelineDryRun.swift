import CVips

/// Checks a pipeline against the sizes its steps make, by running the steps that change the size (crops,
/// resizes with their padding, rotations) on a black image of the source's size. libvips images are lazy:
/// only headers are computed and no pixel is made, so the sizes are exactly those the real run will meet,
/// rounding included, at the cost of building a few headers.
enum PipelineDryRun {
    static func check(_ pipeline: [TransformationSpec.Step], from size: (width: Int, height: Int)) throws(SpecValidationError) {
        guard size.width > 0, size.height > 0 else { return }
        do {
            try Vips.setUp()
        } catch {
            return  // no libvips: the worker's Crop checks the bounds again
        }
        var out: UnsafeMutablePointer<CVips.VipsImage>?
        guard cvips_black(&out, Int32(size.width), Int32(size.height), 3) == 0, let out else {
            Vips.takeError()
            return
        }
        var image = VipsImageRef(out)
        let context = RenderContext(outputFormat: .png)
        for (i, step) in pipeline.enumerated() {
            let operations: [any ImageOperation]
            switch step {
            case .crop(let crop):
                // The first crop that does not fit ends the check: the sizes after it are unknown.
                guard crop.x + crop.width <= image.width, crop.y + crop.height <= image.height else {
                    throw SpecValidationError([.init(
                        .step(i, ["crop"]),
                        "x + width must be at most \(image.width) and y + height at most \(image.height), the size of the image the steps before it make"
                    )])
                }
                operations = [Crop(crop: crop)]
            case .resize, .rotate:
                operations = TransformationPlan.operations(of: [step], from: (image.width, image.height))
                    .filter { !($0 is Materialize) }
            case .flip, .mirror, .filters, .watermark:
                continue  // the size stays
            }
            do {
                for operation in operations { image = try operation.apply(to: image, context: context) }
            } catch {
                return  // not a size question: the real run reports it
            }
        }
    }
}
