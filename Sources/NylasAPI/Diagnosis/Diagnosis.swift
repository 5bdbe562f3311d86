/// What an error means and what to do about it: a cause with a stable id, how far it reaches,
/// how (and whether) to try again, and the fix in the run's own terms.
public struct Diagnosis: Sendable, Hashable, CustomStringConvertible {
    /// How much an error says about the calls that follow it.
    public enum Reach: String, Sendable, Hashable, Codable {
        /// Only this call: another try may answer otherwise.
        case call
        /// Only this user: everyone else goes on.
        case user
        /// Every user of this credential (delegation, consent, key, secret): the run stops.
        case credential
        /// Every call of this application (the API key, the connector): the run stops.
        case application
    }

    /// When to send again.
    public enum Retry: String, Sendable, Hashable, Codable {
        /// Final this run.
        case never
        /// After a jittered backoff.
        case backoff
        /// After the server's `Retry-After` (or the throttle backoff), with every task paused.
        case afterRetryAfter
        /// The call may have been applied: look the user up before anything is sent again.
        case lookUpFirst
    }

    /// A stable id such as `google.delegation_missing`: what the ledger, reports, metrics and
    /// JSON group by. Ids of status fallbacks start with `http.` or `transport.`.
    public var cause: String
    public var reach: Reach
    public var retry: Retry
    /// One line: what happened, in the admin's terms.
    public var meaning: String
    /// What to do, filled with the run's values (client id, scopes, credential id).
    public var fix: String
    /// True when a catalogue row recognised the answer; false for the generic status rules,
    /// whose streaks the circuit breaker still watches.
    public var recognised: Bool
    /// Stop at the first such answer instead of waiting for a few identical ones: Nylas's own
    /// refusals (key, credential, connector) are deterministic.
    public var stopsAtOnce: Bool

    public init(
        cause: String, reach: Reach, retry: Retry, meaning: String, fix: String, recognised: Bool,
        stopsAtOnce: Bool = false
    ) {
        self.cause = cause
        self.reach = reach
        self.retry = retry
        self.meaning = meaning
        self.fix = fix
        self.recognised = recognised
        self.stopsAtOnce = stopsAtOnce
    }

    /// Whether the run (or a job's organisation) must stop: nothing is wrong with the users.
    public var stopsRun: Bool { reach == .credential || reach == .application }

    public var description: String { fix.isEmpty ? "\(cause): \(meaning)" : "\(cause): \(meaning). Fix: \(fix)" }
}
