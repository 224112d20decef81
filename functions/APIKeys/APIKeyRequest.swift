import Foundation

/// A `POST /api-keys` body, checked: `name` (1 to 100 characters, no control characters), `scopes` (a
/// non-empty array of `APIScope` names; repeats count once), `expires_at` (optional, RFC 3339, in the future).
/// Every bad field is reported at once, unknown ones too.
struct APIKeyRequest: Sendable, Equatable {
    var name: String
    var scopes: [APIScope]
    var expiresAt: Date?

    static func from(_ body: [String: JSONValue], now: Date = Date()) throws(APIError) -> APIKeyRequest {
        var errors: [Problem.FieldError] = body.keys.sorted().filter { !["name", "scopes", "expires_at"].contains($0) }
            .map { .init(field: $0, message: "unknown field") }
        var name: String?
        switch body["name"] {
        case .string(let text)? where (1...100).contains(text.count) && !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }):
            name = text
        case nil: errors.append(.init(field: "name", message: "is required"))
        case _?: errors.append(.init(field: "name", message: "must be a string of 1 to 100 characters, without control characters"))
        }
        var scopes: [APIScope] = []
        switch body["scopes"] {
        case .array(let items)? where !items.isEmpty:
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item, let scope = APIScope(rawValue: text) else {
                    errors.append(.init(field: "scopes[\(index)]", message: "must be one of \(APIScope.names)"))
                    continue
                }
                if !scopes.contains(scope) { scopes.append(scope) }
            }
        case nil: errors.append(.init(field: "scopes", message: "is required"))
        case _?: errors.append(.init(field: "scopes", message: "must be a non-empty array of \(APIScope.names)"))
        }
        var expiresAt: Date?
        switch body["expires_at"] {
        case nil, .null?: break
        case .string(let text)?:
            if let date = Self.date(text), date > now {
                expiresAt = date
            } else {
                errors.append(.init(field: "expires_at", message: "must be an RFC 3339 time in the future, such as 2030-01-31T12:00:00Z"))
            }
        case _?: errors.append(.init(field: "expires_at", message: "must be an RFC 3339 time in the future, such as 2030-01-31T12:00:00Z"))
        }
        guard errors.isEmpty, let name else { throw APIError.validation(errors) }
        // In the order of `APIScope`, whatever the body's order, so a key's scopes always read the same.
        return APIKeyRequest(name: name, scopes: APIScope.allCases.filter(scopes.contains), expiresAt: expiresAt)
    }

    /// An RFC 3339 time, with or without fractional seconds, `Z` or an offset.
    static func date(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }
}
