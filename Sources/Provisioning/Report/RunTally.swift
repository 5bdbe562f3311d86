import GrantLedger

/// What one run left its export's users in, from the counts the run recorded: the segments of
/// one bar of the report's chart.
public struct RunTally: Sendable, Hashable {
    /// One segment: a key for markup and tests, and the words a reader sees.
    public enum Part: String, Sendable, CaseIterable {
        case granted, failed, resting, deferred
        case notAttempted = "not_attempted"
        case revoked
        case departed

        public var label: String {
            switch self {
            case .granted: return "granted"
            case .failed: return "failed"
            case .resting: return "resting"
            case .deferred: return "deferred"
            case .notAttempted: return "not attempted"
            case .revoked: return "revoked"
            case .departed: return "departed, kept"
            }
        }

        /// What the segment means, for the legend.
        public var meaning: String {
            switch self {
            case .granted: return "hold a grant after the run (already, adopted or granted that night)"
            case .failed: return "the API refused them that night"
            case .resting: return "failed for the same reason night after night: sat this run out"
            case .deferred: return "retries ran out on temporary errors"
            case .notAttempted: return "the run stopped, or was refused, before reaching them"
            case .revoked: return "departed users whose grant the run deleted"
            case .departed: return "departed users whose grant was left in place"
            }
        }
    }

    public var counts: [Part: Int]
    /// Whether the run recorded its counts (a run killed before its end did not).
    public var recorded: Bool

    public init(_ run: RunSummary) {
        let c = run.counts
        func n(_ key: String) -> Int { c[key] ?? 0 }
        let failed = n("failed")
        let deferred = n("deferred")
        let grantedNow = n("granted_now")
        // A refused run records its plan but did none of it.
        let work = n("new") + n("retry") + n("unknown") + n("repair")
        let notAttempted = max(n("unfinished"), work - grantedNow - failed - deferred)
        counts = [
            .granted: n("granted") + n("adopted") + grantedNow, .failed: failed, .resting: n("resting"), .deferred: deferred,
            .notAttempted: notAttempted, .revoked: n("revoked"), .departed: max(0, n("departed") - n("revoked")),
        ]
        recorded = !c.isEmpty
    }

    public subscript(part: Part) -> Int { counts[part] ?? 0 }

    public var total: Int { counts.values.reduce(0, +) }
}
