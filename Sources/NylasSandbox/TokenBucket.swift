import Foundation

/// Nylas's throttle as the sandbox models it: `rate` requests per second with a burst of one
/// second's worth (at least one request), per key.
struct TokenBucket: Sendable {
    let rate: Double
    private let capacity: Double
    private var tokens: Double
    private var updated: Double

    init(rate: Double, now: Double) {
        self.rate = rate
        self.capacity = max(1, rate)
        self.tokens = capacity
        self.updated = now
    }

    /// Takes a token if one is there; otherwise returns the seconds until one will be.
    mutating func take(now: Double) -> Double? {
        tokens = min(capacity, tokens + (now - updated) * rate)
        updated = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / rate
    }
}
