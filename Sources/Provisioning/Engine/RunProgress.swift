/// Live counts of a run, for the progress line. The engine's loop writes; the printer reads.
public actor RunProgress {
    public struct Snapshot: Sendable {
        public var total: Int
        public var done: Int
        public var granted: Int
        public var failed: Int
        public var deferred: Int
        public var apiCalls: Int
        public var elapsed: Double
        /// Users finished per second so far.
        public var rate: Double { elapsed > 0 ? Double(done) / elapsed : 0 }
        /// Seconds left at the current rate, when it can be told.
        public var eta: Double? { rate > 0 ? Double(total - done) / rate : nil }
    }

    private var total: Int
    private let clock: any EngineClock
    private let started: Double
    private var done = 0
    private var granted = 0
    private var failed = 0
    private var deferred = 0
    private var apiCalls = 0

    public init(total: Int, clock: any EngineClock = SystemClock()) {
        self.total = total
        self.clock = clock
        self.started = clock.now()
    }

    /// More users to count: each organisation of a job adds its own when its work is known.
    public func add(total more: Int) {
        total += more
    }

    func record(_ outcome: UserOutcome) {
        done += 1
        apiCalls += outcome.apiCalls
        switch outcome.kind {
        case .granted: granted += 1
        case .failed: failed += 1
        case .deferred: deferred += 1
        case .stopped, .held: break
        }
    }

    public func snapshot() -> Snapshot {
        Snapshot(
            total: total, done: done, granted: granted, failed: failed, deferred: deferred, apiCalls: apiCalls,
            elapsed: clock.now() - started)
    }
}
