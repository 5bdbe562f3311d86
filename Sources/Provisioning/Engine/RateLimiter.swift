/// One limiter shared by every task of a run: GCRA pacing at `rate` requests per second with a
/// small burst. A 429 pauses *all* tasks until `Retry-After` (or a backoff) and cuts the rate
/// to three quarters, once per overload; after the pause the rate climbs back linearly in time,
/// a quarter of the ceiling per second (AIMD).
///
/// Why these numbers: Nylas's limit is per application, so the 429s of a night often come from
/// other clients of the same application, not from this run's pace, and the `Retry-After` pause
/// already takes this run's load off while the overload lasts. Halving the rate and climbing
/// back by a sliver per success (as before) kept a run at half its rate long after a short
/// burst: 429 bursts of half a second every 5 s held 3,000 users to 22 calls/s, and every 2 s
/// to 4 calls/s. A gentler cut that is won back within a second of calm keeps the additive-
/// increase, multiplicative-decrease shape (so runs sharing a limit still converge) and ran the
/// same bursts at 0.87 and 0.83 of what they leave (BENCHMARKS.md, scenario 8).
public actor RateLimiter {
    /// What a task must do before its call.
    public enum Admission: Sendable, Equatable {
        /// Wait this many seconds, then call.
        case proceed(after: Double)
        /// The API asked for a pause longer than the run will wait.
        case deferred(retryAfter: Double)
    }

    public let ceiling: Double
    public private(set) var rate: Double
    private let burst: Double
    private let minimumRate: Double
    private let clock: any EngineClock
    private let throttleBackoff: BackoffPolicy
    private var theoreticalArrival: Double
    private var pausedUntil: Double
    /// Calls admitted before this moment were in the air when the rate was last cut: their
    /// 429s are echoes of the same overload and do not cut it again.
    private var echoesUntil = -Double.infinity
    private var consecutiveThrottles = 0
    private var random = SystemRandomNumberGenerator()
    /// When the rate last climbed (or the last pause ended): the climb counts calm time only.
    private var climbedAt: Double

    /// The share of the rate a 429 leaves.
    static let cut = 0.75
    /// The share of the ceiling the rate climbs back per second of calm.
    static let climbPerSecond = 0.25

    public init(rate: Double, burst: Int, throttleBackoff: BackoffPolicy, clock: any EngineClock) {
        self.ceiling = rate
        self.rate = rate
        self.burst = Double(max(burst, 1))
        // Halving has a floor: the pause on Retry-After does the hard braking, and a rate that
        // sinks too low would queue every task's reservation far into the future.
        self.minimumRate = rate / 8
        self.clock = clock
        self.throttleBackoff = throttleBackoff
        self.theoreticalArrival = clock.now()
        self.pausedUntil = -Double.infinity
        self.climbedAt = clock.now()
    }

    /// Reserves the next slot.
    public func reserve(maxWait: Double) -> Admission {
        let now = clock.now()
        if pausedUntil - now > maxWait { return .deferred(retryAfter: pausedUntil - now) }
        guard rate.isFinite, rate > 0 else { return .proceed(after: max(0, pausedUntil - now)) }
        let interval = 1 / rate
        let earliest = max(now, pausedUntil)
        let slot = max(earliest, theoreticalArrival - (burst - 1) * interval)
        theoreticalArrival = max(theoreticalArrival, slot) + interval
        return .proceed(after: slot - now)
    }

    /// A call was throttled: pause everyone and cut the rate, once per burst of 429s.
    /// - Parameter admittedAt: when the throttled call was admitted.
    public func throttled(retryAfter: Double?, admittedAt: Double) {
        let now = clock.now()
        consecutiveThrottles += 1
        let pause = retryAfter ?? throttleBackoff.delay(attempt: consecutiveThrottles, using: &random)
        pausedUntil = max(pausedUntil, now + pause)
        theoreticalArrival = max(theoreticalArrival, pausedUntil)
        if admittedAt >= echoesUntil, rate.isFinite {
            rate = max(minimumRate, rate * Self.cut)
            echoesUntil = pausedUntil
        }
        climbedAt = max(climbedAt, pausedUntil)
    }

    /// Whether a pause began after a task reserved its slot: it must then reserve again rather
    /// than fire into the overload.
    public func isPaused() -> Bool {
        pausedUntil > clock.now()
    }

    /// A call succeeded: climb back towards the ceiling, by the calm time since the last climb.
    public func succeeded() {
        consecutiveThrottles = 0
        let now = clock.now()
        guard now > climbedAt else { return }
        if rate < ceiling { rate = min(ceiling, rate + ceiling * Self.climbPerSecond * (now - climbedAt)) }
        climbedAt = now
    }
}
