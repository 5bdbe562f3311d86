/// The summary of a run, printed as a table or, with `--json`, as one JSON object.
public struct RunReport: Sendable, Codable {
    public struct Rejection: Sendable, Codable, Hashable {
        public var line: Int
        public var reason: String
    }

    public struct FailureReason: Sendable, Codable, Hashable {
        public var reason: String
        public var count: Int
        public var example: String
    }

    public var runID: Int64?
    public var ledger: String
    public var provider: String
    /// Users granted by this run (created, or found by a lookup).
    public var granted = 0
    /// Of `granted`, users found already granted by a lookup after an unknown outcome.
    public var foundByLookup = 0
    /// Users already granted before this run: no call.
    public var skipped = 0
    public var failed = 0
    public var deferred = 0
    /// Users the run stopped before finishing (still pending, or in_flight to be looked up).
    public var unfinished = 0
    public var rejectedRows = 0
    public var duplicates = 0
    public var outsideDomains = 0
    public var departed = 0
    public var departedSample: [String] = []
    public var planned: [String: Int] = [:]
    public var apiCalls = 0
    public var durationSeconds = 0.0
    /// API calls per second over the provisioning phase.
    public var achievedRate = 0.0
    public var stopReason: String?
    public var exitCode: Int32 = 0
    public var rejections: [Rejection] = []
    public var failureReasons: [FailureReason] = []

    enum CodingKeys: String, CodingKey {
        case ledger, provider, granted, skipped, failed, deferred, unfinished, departed, planned, rejections
        case runID = "run_id"
        case foundByLookup = "found_by_lookup"
        case rejectedRows = "rejected_rows"
        case duplicates
        case outsideDomains = "outside_domains"
        case departedSample = "departed_sample"
        case apiCalls = "api_calls"
        case durationSeconds = "duration_s"
        case achievedRate = "achieved_rate"
        case stopReason = "stop_reason"
        case exitCode = "exit_code"
        case failureReasons = "failure_reasons"
    }
}
