import Foundation

/// `If-None-Match` against a strong entity tag: the weak comparison RFC 9110 §13.1.2 requires for GET and HEAD,
/// so `W/"x"` and `"x"` match each other (a cache or proxy may weaken a tag); `*` matches any.
enum EntityTag {
    static func matches(ifNoneMatch header: String, _ etag: String) -> Bool {
        let ours = opaque(etag)
        return header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || opaque(tag) == ours
        }
    }

    /// The quoted tag without its weakness marker.
    static func opaque<S: StringProtocol>(_ tag: S) -> Substring {
        let tag = Substring(tag)
        return tag.hasPrefix("W/") ? tag.dropFirst(2) : tag
    }
}
