/// Time as the engine sees it. Production uses `SystemClock`; a unit test may pass a fake.
public protocol EngineClock: Sendable {
    /// Monotonic seconds.
    func now() -> Double
    func sleep(seconds: Double) async throws
}

/// The process's monotonic clock.
public struct SystemClock: EngineClock {
    private static let origin = ContinuousClock.now

    public init() {}

    public func now() -> Double {
        let elapsed = ContinuousClock.now - Self.origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(for: .nanoseconds(Int64(seconds * 1e9)))
    }
}
