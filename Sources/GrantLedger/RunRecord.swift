import GRDB

/// One row of `runs`: one invocation of `bulkgrant run`.
public struct RunRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "runs"

    public var id: Int64?
    public var startedAt: Double
    public var finishedAt: Double?
    public var pid: Int32
    public var inputPath: String?
    public var inputSHA256: String?
    /// The options as JSON (never a secret).
    public var options: String?
    /// The summary counts as JSON.
    public var counts: String?
    public var outcome: String?
    public var exitCode: Int?

    public init(startedAt: Double, pid: Int32, inputPath: String?, inputSHA256: String?, options: String?) {
        self.startedAt = startedAt
        self.pid = pid
        self.inputPath = inputPath
        self.inputSHA256 = inputSHA256
        self.options = options
    }

    enum CodingKeys: String, CodingKey {
        case id, pid, options, counts, outcome
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case inputPath = "input_path"
        case inputSHA256 = "input_sha256"
        case exitCode = "exit_code"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// One row of `attempts`: an API call made for a user. Never holds a secret.
public struct AttemptRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "attempts"

    public var id: Int64?
    public var userID: Int64
    public var runID: Int64
    public var at: Double
    /// `METHOD /path` template.
    public var call: String
    /// `granted`, `not_found`, `found`, `failed`, `retry`, `unknown`, …
    public var outcome: String
    public var status: Int?
    public var requestID: String?
    public var errorType: String?

    public init(
        userID: Int64, runID: Int64, at: Double, call: String, outcome: String, status: Int?, requestID: String?,
        errorType: String?
    ) {
        self.userID = userID
        self.runID = runID
        self.at = at
        self.call = call
        self.outcome = outcome
        self.status = status
        self.requestID = requestID
        self.errorType = errorType
    }

    enum CodingKeys: String, CodingKey {
        case id, at, call, outcome, status
        case userID = "user_id"
        case runID = "run_id"
        case requestID = "request_id"
        case errorType = "error_type"
    }
}
