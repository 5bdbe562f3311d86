/// Exponential backoff with full jitter: a delay drawn uniformly from
/// `0 ... min(cap, base × 2^(attempt − 1))`, so that many clients retrying at once spread out.
public struct BackoffPolicy: Sendable, Hashable {
    public var base: Double
    public var cap: Double

    public init(base: Double, cap: Double) {
        self.base = base
        self.cap = cap
    }

    /// The ceiling of the delay before retry number `attempt` (1-based).
    public func ceiling(attempt: Int) -> Double {
        min(cap, base * Double(1 << min(max(attempt - 1, 0), 30)))
    }

    /// A jittered delay before retry number `attempt`.
    public func delay(attempt: Int, using random: inout some RandomNumberGenerator) -> Double {
        Double.random(in: 0...ceiling(attempt: attempt), using: &random)
    }
}
