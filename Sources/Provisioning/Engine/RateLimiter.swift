/// One limiter shared by every task of a run: GCRA pacing at `rate` requests per second with a
/// small burst. A 429 pauses *all* tasks until `Retry-After` (or a backoff) and halves the rate;
/// each success climbs back towards the ceiling (AIMD).
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
            rate = max(minimumRate, rate / 2)
            echoesUntil = pausedUntil
        }
    }

    /// Whether a pause began after a task reserved its slot: it must then reserve again rather
    /// than fire into the overload.
    public func isPaused() -> Bool {
        pausedUntil > clock.now()
    }

    /// A call succeeded: climb back towards the ceiling.
    public func succeeded() {
        consecutiveThrottles = 0
        if rate < ceiling { rate = min(ceiling, rate + ceiling / 200) }
    }
}
