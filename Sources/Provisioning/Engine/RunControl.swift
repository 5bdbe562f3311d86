/// The run's stop switch, shared by every task: why the run stops, and sleeps that a stop
/// cuts short so that waiting tasks leave at once while calls in flight finish.
public actor RunControl {
    /// Why a run stopped before its work was done.
    public enum StopReason: Sendable, Equatable {
        /// SIGINT or SIGTERM.
        case signal(String)
        /// An error no call can get past, described.
        case fatal(String)
        /// A cause the failure catalogue knows reaches every user of the credential or
        /// application: delegation, consent, key, secret, an unknown credential.
        case cause(StopCause)
        /// Too many identical permanent errors in a row.
        case breaker(String)
        /// The ledger could not record an outcome.
        case ledger(String)
    }

    public private(set) var stopReason: StopReason?
    private var sleepers: [Int: CheckedContinuation<Bool, Never>] = [:]
    private var nextSleeper = 0
    private var onStop: [@Sendable () -> Void] = []
    private let clock: any EngineClock

    public init(clock: any EngineClock = SystemClock()) {
        self.clock = clock
    }

    public var isRunning: Bool { stopReason == nil }

    /// Stops admitting work. The first reason wins.
    public func stop(_ reason: StopReason) {
        guard stopReason == nil else { return }
        stopReason = reason
        for sleeper in sleepers.values { sleeper.resume(returning: false) }
        sleepers = [:]
        for action in onStop { action() }
        onStop = []
    }

    /// Runs `action` when the run is stopped (at once if it already is).
    public func whenStopped(_ action: @escaping @Sendable () -> Void) {
        if stopReason != nil { action() } else { onStop.append(action) }
    }

    /// Sleeps, unless the run stops first. Returns false when it was cut short by a stop.
    public func pause(_ seconds: Double) async -> Bool {
        guard stopReason == nil else { return false }
        guard seconds > 0 else { return true }
        let id = nextSleeper
        nextSleeper += 1
        let clock = self.clock
        return await withCheckedContinuation { continuation in
            sleepers[id] = continuation
            Task {
                try? await clock.sleep(seconds: seconds)
                self.wake(id)
            }
        }
    }

    private func wake(_ id: Int) {
        sleepers.removeValue(forKey: id)?.resume(returning: true)
    }
}
