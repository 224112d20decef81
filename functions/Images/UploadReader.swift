import Foundation
import FunctionRuntime
import Imaging

/// The image bytes and display name of an upload, in any of the three forms the API takes: multipart
/// (`file` or `image` field), a raw `image/*` body with `?filename=`, or JSON `{"image": base64, "filename"}`.
/// Package-visible for the fuzz targets (Tests/Fuzz), which read uploads exactly as the upload function does.
package struct Upload {
    package var bytes: [UInt8]
    package var filename: String?

    /// The byte limit of the image itself; the base64 body may be a third larger (local-runtime's body limit).
    package static let maxBytes = ImageLimits.default.maxBytes

    package static func read(_ request: APIGatewayV2Request, base64JSON: Bool) throws(APIError) -> Upload {
        let type = RequestBody.mediaType(request)
        if base64JSON {
            guard type == "application/json" else { throw APIError(.unsupportedMediaType, "send JSON: {\"image\": base64, \"filename\": name}") }
            // The image itself is in the document: only the body limit and the image limits apply.
            let fields = try RequestBody.json(request, maxBytes: .max).objectFields()
            var errors: [Problem.FieldError] = []
            for key in fields.keys.sorted() where key != "image" && key != "filename" { errors.append(.init(field: key, message: "unknown field")) }
            var filename: String?
            switch fields["filename"] {
            case .string(let s): filename = s
            case nil, .null: break
            default: errors.append(.init(field: "filename", message: "must be a string"))
            }
            guard case .string(let encoded) = fields["image"] else {
                errors.append(.init(field: "image", message: fields["image"] == nil ? "is required" : "must be a base64 string"))
                throw APIError.validation(errors)
            }
            guard errors.isEmpty else { throw APIError.validation(errors) }
            // Accept data: URLs and line breaks, as browsers and tools produce them.
            let payload = encoded.range(of: ";base64,").map { String(encoded[$0.upperBound...]) } ?? encoded
            guard payload.count <= (maxBytes / 3 + 1) * 4 + 1024 else { throw APIError(.payloadTooLarge, "the image is over the 25 MB limit") }
            guard let data = Data(base64Encoded: payload, options: .ignoreUnknownCharacters) else {
                throw APIError.validation([.init(field: "image", message: "is not valid base64")])
            }
            return try Upload(checked: [UInt8](data), filename: filename)
        }
        if type == "multipart/form-data" {
            return try multipart(request)
        }
        if type.hasPrefix("image/") || type == "application/octet-stream" {
            return try Upload(checked: [UInt8](try RequestBody.bytes(request)), filename: request.queryStringParameters?["filename"])
        }
        throw APIError(.unsupportedMediaType, "send multipart/form-data with a file field, or the image itself with an image/* content type")
    }

    init(checked bytes: [UInt8], filename: String?) throws(APIError) {
        guard !bytes.isEmpty else { throw APIError(.badRequest, "the image is empty") }
        guard bytes.count <= Self.maxBytes else { throw APIError(.payloadTooLarge, "the image is over the 25 MB limit") }
        self.bytes = bytes
        self.filename = filename
    }

    /// The first part named `file` or `image` of a multipart body.
    static func multipart(_ request: APIGatewayV2Request) throws(APIError) -> Upload {
        let contentType = request.header("content-type") ?? ""
        guard let boundaryParameter = contentType.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) })
            .first(where: { $0.lowercased().hasPrefix("boundary=") })
        else { throw APIError(.badRequest, "the multipart body has no boundary") }
        var boundary = String(boundaryParameter.dropFirst("boundary=".count))
        if boundary.hasPrefix("\""), boundary.hasSuffix("\""), boundary.count >= 2 { boundary = String(boundary.dropFirst().dropLast()) }
        // RFC 2046 §5.1.1: 1 to 70 characters. A longer one served only to make the search slow.
        guard (1...70).contains(boundary.utf8.count) else {
            throw APIError(.badRequest, "the multipart boundary must be 1 to 70 characters (RFC 2046)")
        }
        let body = [UInt8](try RequestBody.bytes(request))
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [ArraySlice<UInt8>] = []
        var positions: [Int] = []
        var index = 0
        while let found = body.firstRange(of: delimiter, from: index) {
            positions.append(found.lowerBound)
            index = found.upperBound
        }
        guard positions.count >= 2 else { throw APIError(.badRequest, "the multipart body could not be read") }
        for (start, end) in zip(positions, positions.dropFirst()) {
            var partStart = start + delimiter.count
            if body[partStart..<min(partStart + 2, body.count)].elementsEqual([13, 10]) { partStart += 2 }
            var partEnd = end
            if partEnd >= 2, body[(partEnd - 2)..<partEnd].elementsEqual([13, 10]) { partEnd -= 2 }
            if partStart <= partEnd { parts.append(body[partStart..<partEnd]) }
        }
        for part in parts {
            guard let split = Array(part).firstRange(of: [13, 10, 13, 10], from: 0) else { continue }
            let headers = String(decoding: part.prefix(split.lowerBound), as: UTF8.self)
            let disposition = headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-disposition:") }.map(String.init) ?? ""
            let name = parameter("name", in: disposition)
            guard name == "file" || name == "image" else { continue }
            let content = Array(part.dropFirst(split.upperBound))
            return try Upload(checked: content, filename: parameter("filename", in: disposition))
        }
        throw APIError.validation([.init(field: "file", message: "is required (a file field named file or image)")])
    }

    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard piece.lowercased().hasPrefix("\(name)=") else { continue }
            var value = String(piece.dropFirst(name.count + 1))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    /// The first occurrence of `needle` at or after `from`, by Knuth-Morris-Pratt: linear in the haystack
    /// whatever the needle (the byte-by-byte compare before it cost body size × needle length).
    func firstRange(of needle: [UInt8], from: Int) -> Range<Int>? {
        guard !needle.isEmpty, count >= needle.count, from >= 0, from <= count - needle.count else { return nil }
        // failure[k]: the length of the longest proper prefix of needle[0...k] that is also its suffix.
        var failure = [Int](repeating: 0, count: needle.count)
        var k = 0
        for i in 1..<needle.count {
            while k > 0, needle[i] != needle[k] { k = failure[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            failure[i] = k
        }
        var matched = 0
        for i in from..<count {
            while matched > 0, self[i] != needle[matched] { matched = failure[matched - 1] }
            if self[i] == needle[matched] { matched += 1 }
            if matched == needle.count { return (i + 1 - needle.count)..<(i + 1) }
        }
        return nil
    }
}
