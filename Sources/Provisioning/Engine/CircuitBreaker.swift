import NylasAPI

/// Turns a streak of identical permanent errors (delegation not granted, wrong scopes) into a
/// run-level stop, instead of failing ten thousand users one by one.
actor CircuitBreaker {
    private let threshold: Int
    private var streakKey: String?
    private var streak = 0

    init(threshold: Int) {
        self.threshold = threshold
    }

    /// Records a permanent error; returns true when the streak reaches the threshold.
    func failed(_ error: NylasError) -> Bool {
        let key = Self.key(error)
        if key == streakKey {
            streak += 1
        } else {
            streakKey = key
            streak = 1
        }
        return threshold > 0 && streak >= threshold
    }

    func succeeded() {
        streakKey = nil
        streak = 0
    }

    /// What makes two errors "identical": status, type and the provider's error code, not the
    /// message, which may name the user.
    static func key(_ error: NylasError) -> String {
        let provider = error.providerError?["error"]?.compactDescription ?? ""
        return "\(error.status ?? 0)|\(error.type ?? "")|\(provider)"
    }
}

/// The run's allowance of retries, so that a failing API is not hammered.
actor RetryBudget {
    private var remaining: Int

    init(_ limit: Int) {
        remaining = limit
    }

    func take() -> Bool {
        guard remaining > 0 else { return false }
        remaining -= 1
        return true
    }
}
