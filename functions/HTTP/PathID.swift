import Foundation

extension UUID {
    /// An id from a request: exactly the 36 characters of a UUID and nothing after them. Foundation's own
    /// parser stops at a NUL, so `/images/{id}%00` named the image.
    init?(pathID text: String) {
        guard text.utf8.count == 36, let id = UUID(uuidString: text) else { return nil }
        self = id
    }
}
