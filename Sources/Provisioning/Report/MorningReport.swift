import Foundation
import GrantLedger

/// What the ledger says about last night and the nights before, for a person to read in the
/// morning: the last run's outcome, users per organisation, users by state over the last runs,
/// failure causes, users that keep failing, departed users, throughput and 429s.
///
/// It holds aggregates and the first entries of each list, never every user, so that a
/// ledger of 100,000 users makes a page small enough to mail. ``MorningReportRenderer``
/// turns it into HTML.
public struct MorningReport: Sendable {
    /// What to read.
    public struct Configuration: Sendable, Hashable {
        /// Only this provider's users and runs.
        public var provider: String?
        /// Only this job organisation's users and runs.
        public var organisation: String?
        /// Runs in the chart and the throughput table.
        public var runs = 30
        /// A user failing in this many runs or more is listed.
        public var minimumRuns = 3
        /// Entries of each list of users.
        public var listLimit = 50
        /// Failure causes listed.
        public var causeLimit = 10

        public init(provider: String? = nil, organisation: String? = nil) {
            self.provider = provider
            self.organisation = organisation
        }
    }

    /// One organisation's users, and its newest run among those read.
    public struct OrganisationRow: Sendable, Hashable {
        public var users: OrganisationStateCount
        public var lastRun: RunSummary?
    }

    /// Departed users of the newest run of one organisation and provider that kept their
    /// grants: the safeguard refused, the run did not revoke, or it stopped first.
    public struct KeptDepartures: Sendable, Hashable {
        public enum Kind: String, Sendable {
            /// The safeguard refused to revoke.
            case refused
            /// The run was not asked to revoke (`--revoke-departed`, `revoke_departed`).
            case reported
            /// The run stopped before revoking, or some revocations are unfinished.
            case unfinished
        }

        public var run: RunSummary
        public var kind: Kind
        public var count: Int
        /// Why, in words, with what to do.
        public var reason: String
    }

    public var configuration: Configuration
    public var ledger: String
    public var apiHost: String?
    /// Unix seconds.
    public var generatedAt: Double
    /// The newest run, or the runs of the newest job (one per organisation), newest first.
    public var lastRuns: [RunSummary]
    public var organisations: [OrganisationRow]
    /// Up to `configuration.runs`, oldest first.
    public var runs: [RunSummary]
    public var causes: [FailureCause]
    /// Users with a last error (failed, deferred, or left revoking).
    public var failingUsers: Int
    public var repeatFailures: [RepeatFailure]
    /// Revoked users and unfinished revocations, most recent first.
    public var departed: [DepartedUser]
    /// How many users are revoked or revoking in all.
    public var departedTotal: Int
    public var keptDepartures: [KeptDepartures]

    public init(
        configuration: Configuration, ledger: String, apiHost: String?, generatedAt: Double, lastRuns: [RunSummary],
        organisations: [OrganisationRow], runs: [RunSummary], causes: [FailureCause], failingUsers: Int,
        repeatFailures: [RepeatFailure], departed: [DepartedUser], departedTotal: Int, keptDepartures: [KeptDepartures]
    ) {
        self.configuration = configuration
        self.ledger = ledger
        self.apiHost = apiHost
        self.generatedAt = generatedAt
        self.lastRuns = lastRuns
        self.organisations = organisations
        self.runs = runs
        self.causes = causes
        self.failingUsers = failingUsers
        self.repeatFailures = repeatFailures
        self.departed = departed
        self.departedTotal = departedTotal
        self.keptDepartures = keptDepartures
    }
}
