import GrantLedger

/// The summary of a run, printed as a table or, with `--json`, as one JSON object.
public struct RunReport: Sendable, Codable {
    public struct Rejection: Sendable, Codable, Hashable {
        public var line: Int
        public var reason: String
    }

    /// Users that failed (or were left) for one cause.
    public struct FailureReason: Sendable, Codable, Hashable {
        /// What happened: the catalogue's meaning, or the raw answer when it is not recognised.
        public var reason: String
        public var count: Int
        public var example: String
        /// The catalogue's cause id (`google.delegation_missing`), or a status rule's (`http.400`).
        public var cause: String = "unknown"
        /// What to do, for a recognised cause.
        public var fix: String?
        /// `user`, `credential`, `application` or `call`.
        public var reach: String?
    }

    public var runID: Int64?
    public var ledger: String
    public var provider: String
    /// Users granted by this run (created, re-authenticated, or found by a lookup).
    public var granted = 0
    /// Of `granted`, users found already granted by a lookup after an unknown outcome.
    public var foundByLookup = 0
    /// Users already granted before this run: no call.
    public var skipped = 0
    public var failed = 0
    public var deferred = 0
    /// Failed users left alone this run: they failed with the same cause of their own in
    /// several runs in a row (`--retry-resting` tries them).
    public var resting = 0
    /// Of `deferred`, users whose last call's outcome is unknown: left `in_flight` (as
    /// `status` and the metrics count them), to be looked up before anything is sent again.
    public var deferredInFlight = 0
    /// Users the run stopped before finishing (still pending, or in_flight to be looked up).
    public var unfinished = 0
    public var rejectedRows = 0
    /// The CSV column the addresses were read from, and other columns that look like one.
    public var emailColumn: String?
    public var otherAddressColumns: [String] = []
    public var duplicates = 0
    public var outsideDomains = 0
    /// Users the row filters (`--where`, `--exclude`) dropped: distinct addresses, plus rows
    /// without a valid address. A granted user dropped by them is departed.
    public var filtered = 0
    /// `filtered` by filter, in the order the filters were given (zeros included).
    public var filteredReasons: [RowFilter.Count] = []
    /// Of `filtered`, rows the filters dropped that held no valid address: counted as filtered,
    /// not as rejected rows (a terminated person's blanked address is no error).
    public var filteredWithoutAddress = 0
    /// Users in the export (valid, distinct, inside `--domain`), those the row filters dropped
    /// included (see `InputSet.exportUsers`): the size the shrink safeguard compares.
    public var exportUsers = 0
    /// Users in the export of the last run of this provider, when known.
    public var previousExportUsers: Int?
    public var departed = 0
    public var departedSample: [String] = []
    /// `reported` (no `--revoke-departed`), `revoked`, `refused` (safeguard) or `skipped` (the
    /// run stopped before revoking).
    public var departedAction = "reported"
    /// Existing grants recorded as granted without authentication.
    public var adopted = 0
    /// Granted users whose grant was listed `invalid`, sent to re-authentication.
    public var repaired = 0
    /// Departed users whose grant was deleted (or found already gone).
    public var revoked = 0
    /// Of `revoked`, grants already gone (404).
    public var revokedAlreadyGone = 0
    /// Revocations left `revoking` for the next run.
    public var revocationsUnfinished = 0
    /// Revocations an interrupted run had left `revoking`, taken up by this run.
    public var revocationsFinished = 0
    /// The input listed users to retry, not the export (`--retry-only`, or a report file).
    public var retryOnly = false
    /// With `retryOnly`, addresses the ledger does not know (left alone).
    public var notInLedger = 0
    public var safeguard: Safeguard?
    public var planned: [String: Int] = [:]
    public var apiCalls = 0
    /// Every API call of the run by call and status (0: no answer).
    public var callsByStatus: [CallCount] = []
    /// 429 answers met.
    public var rateLimited = 0
    public var durationSeconds = 0.0
    /// API calls per second over the provisioning phase.
    public var achievedRate = 0.0
    public var stopReason: String?
    /// Why the run stopped, when a known cause stopped it: what scripts and metrics read.
    public var stopCause: StoppedBy?
    public var warnings: [String] = []
    public var exitCode: Int32 = 0
    public var rejections: [Rejection] = []
    public var failureReasons: [FailureReason] = []

    /// A stop for a known cause, as `--json` shows it.
    public struct StoppedBy: Sendable, Codable, Hashable {
        public var cause: String
        public var reach: String
        public var meaning: String
        public var fix: String
        /// Identical answers met before stopping.
        public var answers: Int
        public var example: String

        public init(_ stop: StopCause) {
            cause = stop.diagnosis.cause
            reach = stop.diagnosis.reach.rawValue
            meaning = stop.diagnosis.meaning
            fix = stop.diagnosis.fix
            answers = stop.answers
            example = stop.example
        }
    }

    public init(ledger: String, provider: String) {
        self.ledger = ledger
        self.provider = provider
    }

    enum CodingKeys: String, CodingKey {
        case ledger, provider, granted, skipped, failed, deferred, resting, unfinished, departed, planned, rejections
        case adopted, repaired, revoked, safeguard, warnings
        case runID = "run_id"
        case foundByLookup = "found_by_lookup"
        case deferredInFlight = "deferred_in_flight"
        case filteredWithoutAddress = "filtered_without_address"
        case rejectedRows = "rejected_rows"
        case emailColumn = "email_column"
        case otherAddressColumns = "other_address_columns"
        case duplicates
        case outsideDomains = "outside_domains"
        case filtered
        case filteredReasons = "filtered_reasons"
        case exportUsers = "export_users"
        case previousExportUsers = "previous_export_users"
        case departedSample = "departed_sample"
        case departedAction = "departed_action"
        case revokedAlreadyGone = "revoked_already_gone"
        case revocationsUnfinished = "revocations_unfinished"
        case revocationsFinished = "revocations_resumed"
        case retryOnly = "retry_only"
        case notInLedger = "not_in_ledger"
        case apiCalls = "api_calls"
        case callsByStatus = "calls_by_status"
        case rateLimited = "rate_limited"
        case durationSeconds = "duration_s"
        case achievedRate = "achieved_rate"
        case stopReason = "stop_reason"
        case stopCause = "stop_cause"
        case exitCode = "exit_code"
        case failureReasons = "failure_reasons"
    }
}
