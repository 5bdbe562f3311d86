import GrantLedger
import NylasAPI

/// One user's life in a run between two calls, as a pure function: from where the user stands
/// and the diagnosis of the call that just failed, what the ledger records and what comes next.
/// The provisioner only admits, calls, diagnoses and applies what this says.
struct UserLife: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        /// The next call creates (custom authentication).
        case create
        /// An earlier call's outcome is unknown: the next call looks the user's grant up.
        case lookUp
    }

    /// What follows a failed call.
    enum Next: Sendable, Equatable {
        /// Call again after this many seconds (if the run's retry budget allows).
        case retry(after: Double)
        /// Pause every task for the server's `Retry-After`, then call again.
        case throttle
        /// Final for this user this run: a cause of the user's own.
        case failed
        /// Retries ran out; the next run tries again.
        case deferred
        /// The cause reaches the credential or the application: nothing is wrong with the
        /// user, who stays as they were while the stop policy decides on the run.
        case held
    }

    /// The ledger's side of one step.
    struct Step: Sendable, Equatable {
        var state: UserState
        /// The audit row's outcome.
        var audit: String
        /// Added to the user's attempts (creations sent).
        var attempts: Int
        /// Whether the error (and its cause) becomes the user's last error.
        var recordsError: Bool
        var next: Next
    }

    /// How persistent a run is.
    struct Limits: Sendable, Equatable {
        var maxAttempts: Int
        var maxThrottles: Int
        var backoff: BackoffPolicy
        /// The least wait after an unknown outcome before looking up.
        var settle: Double
    }

    var phase: Phase
    var failures = 0
    var throttles = 0

    /// The step after a failed call. `jitter` (0…1) draws the backoff within its ceiling.
    mutating func step(after diagnosis: Diagnosis, limits: Limits, jitter: Double) -> Step {
        let creating = phase == .create
        let sent = creating ? 1 : 0
        switch diagnosis.retry {
        case .afterRetryAfter:
            throttles += 1
            let exhausted = throttles >= limits.maxThrottles
            return Step(
                state: exhausted ? restingState : waitingState, audit: "throttled", attempts: 0,
                recordsError: exhausted, next: exhausted ? .deferred : .throttle)
        case .never where diagnosis.stopsRun:
            return Step(
                state: waitingState, audit: diagnosis.stopsAtOnce ? "fatal" : "refused", attempts: sent,
                recordsError: true, next: .held)
        case .never:
            return Step(state: .failed, audit: "failed", attempts: sent, recordsError: true, next: .failed)
        case .backoff, .lookUpFirst:
            if diagnosis.retry == .lookUpFirst { phase = .lookUp }
            failures += 1
            let audit = phase == .lookUp && creating ? "unknown" : "retry"
            guard failures < limits.maxAttempts else {
                return Step(state: restingState, audit: audit, attempts: sent, recordsError: true, next: .deferred)
            }
            var delay = jitter * limits.backoff.ceiling(attempt: failures)
            if phase == .lookUp { delay = max(delay, limits.settle) }
            return Step(state: waitingState, audit: audit, attempts: sent, recordsError: true, next: .retry(after: delay))
        }
    }

    /// The state while the user waits for another call: a user whose outcome is unknown stays
    /// `in_flight`, so that a kill now still leads to a lookup first.
    var waitingState: UserState { phase == .lookUp ? .inFlight : .pending }

    /// The state a user ends the run in when retries ran out.
    var restingState: UserState { phase == .lookUp ? .inFlight : .deferred }
}
