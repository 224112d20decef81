import Foundation
import Imaging

/// A username and password from a request body, checked: usernames 3 to 254 characters (kept as typed,
/// compared case-insensitively), passwords 8 to 1024. Every bad field is reported at once.
struct Credentials: Sendable {
    var username: String
    var password: String

    /// From JSON fields, naming them as the body does (`username`/`password`, or the original service's
    /// `email`/`plain_password`).
    static func from(_ fields: [String: JSONValue], usernameField: String = "username", passwordField: String = "password",
                     allowed extra: Set<String> = []) throws(APIError) -> Credentials {
        var errors: [Problem.FieldError] = []
        for key in fields.keys.sorted() where key != usernameField && key != passwordField && !extra.contains(key) {
            errors.append(.init(field: key, message: "unknown field"))
        }
        func text(_ key: String) -> String? {
            switch fields[key] {
            case .string(let s): return s
            case nil: errors.append(.init(field: key, message: "is required")); return nil
            default: errors.append(.init(field: key, message: "must be a string")); return nil
            }
        }
        let username = text(usernameField)
        let password = text(passwordField)
        if let username, !(3...254).contains(username.count) || username.trimmingCharacters(in: .whitespaces) != username {
            errors.append(.init(field: usernameField, message: "must be 3 to 254 characters, without leading or trailing spaces"))
        }
        if let username, username.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(.init(field: usernameField, message: "must not contain control characters"))
        }
        if let password, !(8...1024).contains(password.count) {
            errors.append(.init(field: passwordField, message: "must be 8 to 1024 characters"))
        }
        guard errors.isEmpty, let username, let password else { throw APIError.validation(errors) }
        return Credentials(username: username, password: password)
    }
}
