import Foundation
import Imaging

/// The image formats a request's `Accept` names, for `fmt_auto`. Only explicit types count: browsers send
/// `image/avif` and `image/webp` when they decode them, while `*/*` and `image/*` are sent by clients that may
/// decode neither, so a wildcard never picks a format. A type with `q=0` is refused, as RFC 9110 says.
enum AcceptedImageFormats {
    static func of(_ accept: String?) -> Set<ImageFormat> {
        guard let accept else { return [] }
        var formats: Set<ImageFormat> = []
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let type = parts.first, let format = ImageFormat.allCases.first(where: { $0.contentType == type }) else { continue }
            let refused = parts.dropFirst().contains { parameter in
                guard parameter.hasPrefix("q=") else { return false }
                return (Double(parameter.dropFirst(2)) ?? 1) <= 0
            }
            if !refused { formats.insert(format) }
        }
        return formats
    }
}
