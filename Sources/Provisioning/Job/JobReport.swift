/// What a multi-organisation job did: one run report per organisation, and the job's exit code,
/// the worst of theirs.
public struct JobReport: Sendable, Codable {
    /// One organisation's part.
    public struct Organisation: Sendable, Codable {
        public var name: String
        public var provider: String
        public var credentialID: String
        public var report: RunReport
        /// Seconds from the job's start until this organisation's work was done.
        public var finishedAfterSeconds: Double

        enum CodingKeys: String, CodingKey {
            case name, provider, report
            case credentialID = "credential_id"
            case finishedAfterSeconds = "finished_after_seconds"
        }
    }

    public var job: String
    public var ledger: String
    public var organisations: [Organisation] = []
    /// Problems that stopped the whole job before any call (two organisations listing one
    /// address); empty when the organisations ran.
    public var errors: [String] = []
    public var durationSeconds = 0.0
    public var exitCode: Int32 = 0

    enum CodingKeys: String, CodingKey {
        case job, ledger, organisations, errors
        case durationSeconds = "duration_seconds"
        case exitCode = "exit_code"
    }

    public init(job: String, ledger: String) {
        self.job = job
        self.ledger = ledger
    }
}
