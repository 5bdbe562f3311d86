import Foundation
import NylasAPI
import Testing

@testable import Provisioning

/// A clock that only moves when told to: makes the limiter's arithmetic exact.
final class ManualClock: EngineClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Double = 1000

    func now() -> Double { lock.withLock { current } }
    func advance(_ seconds: Double) { lock.withLock { current += seconds } }
    func sleep(seconds: Double) async throws { advance(seconds) }
}

@Suite("Rate limiter")
struct RateLimiterTests {
    @Test("paces calls at the configured rate after the burst")
    func pacing() async {
        let clock = ManualClock()
        let limiter = RateLimiter(rate: 10, burst: 3, throttleBackoff: .init(base: 1, cap: 60), clock: clock)
        var delays: [Double] = []
        for _ in 0..<6 {
            if case .proceed(let delay) = await limiter.reserve(maxWait: 60) { delays.append(delay) }
        }
        // Three leave at once (the burst), then one every 0.1 s.
        #expect(delays.prefix(3).allSatisfy { $0 == 0 })
        #expect(abs(delays[3] - 0.1) < 1e-9)
        #expect(abs(delays[4] - 0.2) < 1e-9)
        #expect(abs(delays[5] - 0.3) < 1e-9)
    }

    @Test("a 429 pauses every caller until Retry-After and cuts the rate to three quarters once per burst of 429s")
    func throttlePausesAndCuts() async {
        let clock = ManualClock()
        let limiter = RateLimiter(rate: 40, burst: 1, throttleBackoff: .init(base: 1, cap: 60), clock: clock)
        let admitted = clock.now()
        await limiter.throttled(retryAfter: 2, admittedAt: admitted)
        // Calls admitted before the pause ends are echoes of the same overload.
        await limiter.throttled(retryAfter: 2, admittedAt: admitted + 1)
        #expect(await limiter.rate == 30)
        #expect(await limiter.isPaused())
        guard case .proceed(let delay) = await limiter.reserve(maxWait: 60) else {
            Issue.record("expected to proceed")
            return
        }
        #expect(delay >= 2 - 1e-9)
    }

    @Test("a 429 after the pause cuts again, down to a floor of an eighth of the ceiling")
    func repeatedCutsHaveAFloor() async {
        let clock = ManualClock()
        let limiter = RateLimiter(rate: 40, burst: 1, throttleBackoff: .init(base: 1, cap: 60), clock: clock)
        for _ in 0..<20 {
            await limiter.throttled(retryAfter: 1, admittedAt: clock.now())
            clock.advance(2)
        }
        #expect(await limiter.rate == 5)
        #expect(!(await limiter.isPaused()))
    }

    @Test("after the pause, successes climb the rate back by a quarter of the ceiling per calm second, never above")
    func recovery() async {
        let clock = ManualClock()
        let limiter = RateLimiter(rate: 40, burst: 1, throttleBackoff: .init(base: 1, cap: 60), clock: clock)
        await limiter.throttled(retryAfter: 2, admittedAt: clock.now())
        #expect(await limiter.rate == 30)
        clock.advance(1)
        await limiter.succeeded()
        #expect(await limiter.rate == 30, "time inside the pause is no calm")
        clock.advance(1.5)
        await limiter.succeeded()
        #expect(abs(await limiter.rate - 35) < 1e-9, "half a calm second: an eighth of the ceiling")
        for _ in 0..<1000 { await limiter.succeeded() }
        #expect(abs(await limiter.rate - 35) < 1e-9, "successes without time do not climb")
        clock.advance(10)
        await limiter.succeeded()
        #expect(await limiter.rate == 40)
    }

    @Test("a Retry-After longer than the run waits defers instead of sleeping")
    func longRetryAfterDefers() async {
        let clock = ManualClock()
        let limiter = RateLimiter(rate: 40, burst: 1, throttleBackoff: .init(base: 1, cap: 60), clock: clock)
        await limiter.throttled(retryAfter: 600, admittedAt: clock.now())
        let admission = await limiter.reserve(maxWait: 120)
        guard case .deferred(let wait) = admission else {
            Issue.record("expected deferral, got \(admission)")
            return
        }
        #expect(wait > 120)
    }
}

@Suite("Backoff and error classes")
struct PolicyTests {
    @Test("full-jitter backoff stays within 0 and the capped exponential ceiling")
    func backoffBounds() {
        let policy = BackoffPolicy(base: 0.5, cap: 30)
        var random = SystemRandomNumberGenerator()
        for attempt in 1...10 {
            let ceiling = min(30, 0.5 * pow(2, Double(attempt - 1)))
            #expect(policy.ceiling(attempt: attempt) == ceiling)
            for _ in 0..<50 {
                let delay = policy.delay(attempt: attempt, using: &random)
                #expect(delay >= 0 && delay <= ceiling)
            }
        }
    }
}
