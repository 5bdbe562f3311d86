import GrantLedger

/// The five-minute rule between a Microsoft admin consent and the first grants, for single runs
/// and for each organisation of a job: `check` says whether to wait, `wait` waits.
public enum ConsentGate {
    /// How a wait ended.
    public enum Outcome: Sendable, Equatable {
        /// The five minutes are over: go on.
        case ready
        /// The stop hook said stop, or the task was cancelled: send nothing.
        case stopped
    }

    /// The wait still due for `credentialID`, or nil when no consent is recorded in this ledger
    /// (it may have been given outside bulkgrant) or it is five minutes old or more.
    public static func check(ledger: Ledger, credentialID: String, now: Double) async throws -> ConsentWait? {
        check(consent: try await ledger.consent(credentialID: credentialID), now: now)
    }

    /// The same decision from a consent already read.
    public static func check(consent: ConsentRecord?, now: Double) -> ConsentWait? {
        guard let consent else { return nil }
        let wait = ConsentWait(credentialID: consent.credentialID, consentedAt: consent.consentedAt, checkedAt: now)
        return wait.remaining > 0 ? wait : nil
    }

    /// Waits until `wait.readyAt`, in steps of at most `tick` seconds, calling `onTick` with the
    /// seconds left before each step (for a countdown) and `shouldStop` between steps.
    /// Cancelling the task ends the wait at once with `.stopped`.
    public static func wait(
        _ wait: ConsentWait, clock: some ConsentClock, tick: Double = 1,
        shouldStop: @Sendable () async -> Bool = { false }, onTick: @Sendable (Double) -> Void = { _ in }
    ) async -> Outcome {
        var until = wait.readyAt
        while true {
            if Task.isCancelled { return .stopped }
            if await shouldStop() { return .stopped }
            let now = clock.now()
            // A clock set back during the wait must not stretch it to hours: five minutes at most
            // from any moment.
            until = min(until, now + ConsentWait.applyDelay)
            let left = until - now
            if left <= 0 { return .ready }
            onTick(left)
            do {
                try await clock.sleep(seconds: min(tick, left))
            } catch {
                return .stopped
            }
        }
    }
}
