import GRDB

/// One row of `users`: a (provider, email) and what bulkgrant last knew of its grant.
public struct UserRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "users"

    public var id: Int64?
    public var provider: String
    public var email: String
    public var organisation: String
    public var state: UserState
    public var grantID: String?
    public var credentialID: String?
    public var attempts: Int
    public var lastStatus: Int?
    public var lastErrorType: String?
    public var lastErrorMessage: String?
    public var lastRequestID: String?
    /// The failure catalogue's cause id of the last error.
    public var cause: String?
    public var firstSeenRun: Int64?
    public var lastSeenRun: Int64?
    public var updatedAt: Double

    enum CodingKeys: String, CodingKey {
        case id, provider, email, organisation, state, attempts
        case grantID = "grant_id"
        case credentialID = "credential_id"
        case lastStatus = "last_status"
        case lastErrorType = "last_error_type"
        case lastErrorMessage = "last_error_message"
        case lastRequestID = "last_request_id"
        case cause
        case firstSeenRun = "first_seen_run"
        case lastSeenRun = "last_seen_run"
        case updatedAt = "updated_at"
    }

    public enum Columns {
        public static let id = Column("id")
        public static let provider = Column("provider")
        public static let email = Column("email")
        public static let organisation = Column("organisation")
        public static let state = Column("state")
        public static let grantID = Column("grant_id")
        public static let attempts = Column("attempts")
        public static let updatedAt = Column("updated_at")
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// The little the planner needs of each user, kept small because a ledger may hold a million.
public struct UserSnapshot: Sendable, Hashable {
    public var id: Int64
    public var state: UserState
    public var organisation: String
}
