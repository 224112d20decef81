import FunctionRuntime

/// A listing's window, from `page` and `limit` or `skip` and `limit` (limit 1 to 100, default 10; more is
/// clamped to 100). Every bad parameter is one field error of a 422, a window past `maxSkip` included (a page
/// whose offset would overflow trapped the process before).
struct Paging: Sendable, Equatable {
    var limit: Int
    var skip: Int

    /// The furthest a window may start: far past any library, and far from overflowing.
    static let maxSkip = 1_000_000_000

    var page: Int { skip / limit + 1 }

    init(_ query: [String: String]) throws(APIError) {
        var errors: [Problem.FieldError] = []
        func integer(_ key: String) -> Int? {
            guard let text = query[key] else { return nil }
            guard let value = Int(text) else { errors.append(.init(field: key, message: "must be a whole number")); return nil }
            return value
        }
        var limit = integer("limit") ?? 10
        if limit < 1 { errors.append(.init(field: "limit", message: "must be at least 1")) }
        limit = min(limit, 100)
        let page = integer("page")
        let skip = integer("skip")
        if let page, page < 1 { errors.append(.init(field: "page", message: "must be at least 1")) }
        if let page, limit >= 1, page > Self.maxSkip / limit + 1 {
            errors.append(.init(field: "page", message: "must be at most \(Self.maxSkip / limit + 1) with a limit of \(limit)"))
        }
        if let skip, skip < 0 { errors.append(.init(field: "skip", message: "must be at least 0")) }
        if let skip, skip > Self.maxSkip { errors.append(.init(field: "skip", message: "must be at most \(Self.maxSkip)")) }
        if page != nil, skip != nil { errors.append(.init(field: "skip", message: "give page or skip, not both")) }
        guard errors.isEmpty else { throw APIError.validation(errors) }
        self.limit = limit
        self.skip = skip ?? ((page ?? 1) - 1) * limit
    }
}

/// One page of a listing as the API answers it: `{"items", "total", "page", "limit", "skip"}`.
struct PageJSON<Item: Encodable>: Encodable {
    var items: [Item]
    var total: Int
    var page: Int
    var limit: Int
    var skip: Int

    init(_ items: [Item], total: Int, paging: Paging) {
        self.items = items
        self.total = total
        page = paging.page
        limit = paging.limit
        skip = paging.skip
    }
}
