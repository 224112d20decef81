/// A value that arrives once and that any number of tasks can wait for.
actor Promise<Value: Sendable> {
    private var result: Value?
    private var waiters: [CheckedContinuation<Value, Never>] = []

    func fulfill(_ value: Value) {
        guard result == nil else { return }
        result = value
        waiters.forEach { $0.resume(returning: value) }
        waiters = []
    }

    var value: Value {
        get async {
            if let result { return result }
            return await withCheckedContinuation { waiters.append($0) }
        }
    }
}
