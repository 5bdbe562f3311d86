import Foundation

/// Nylas's throttle as the sandbox models it: `rate` requests per second with a burst of one
/// second's worth, per key.
struct TokenBucket: Sendable {
    let rate: Double
    private var tokens: Double
    private var updated: Double

    init(rate: Double, now: Double) {
        self.rate = rate
        self.tokens = rate
        self.updated = now
    }

    /// Takes a token if one is there; otherwise returns the seconds until one will be.
    mutating func take(now: Double) -> Double? {
        tokens = min(rate, tokens + (now - updated) * rate)
        updated = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / rate
    }
}
