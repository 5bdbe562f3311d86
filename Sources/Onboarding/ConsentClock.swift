import Foundation

/// Wall-clock time for the consent wait. Consents are stored as seconds since 1970, so the wait
/// is measured on the same clock; a unit test passes a fake that jumps instead of sleeping.
public protocol ConsentClock: Sendable {
    /// Seconds since 1970.
    func now() -> Double
    /// Sleeps; throws `CancellationError` when the task is cancelled.
    func sleep(seconds: Double) async throws
}

/// The system's clock.
public struct SystemConsentClock: ConsentClock {
    public init() {}

    public func now() -> Double { Date().timeIntervalSince1970 }

    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(for: .nanoseconds(Int64(seconds * 1e9)))
    }
}
