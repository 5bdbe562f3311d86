/// A change to one user, written by the group-commit writer together with its audit row.
public struct UserUpdate: Sendable, Hashable {
    /// The error fields recorded with a user.
    public struct RecordedError: Sendable, Hashable {
        public var status: Int?
        public var type: String?
        public var message: String
        public var requestID: String?
        /// The failure catalogue's cause id, what reports group by.
        public var cause: String?
        public init(status: Int?, type: String?, message: String, requestID: String?, cause: String? = nil) {
            self.status = status
            self.type = type
            self.message = message
            self.requestID = requestID
            self.cause = cause
        }
    }

    public var userID: Int64
    public var state: UserState
    /// Set when known; nil leaves the column as it is.
    public var grantID: String?
    public var credentialID: String?
    /// Replaces the last error; nil clears it when `clearsError`.
    public var error: RecordedError?
    public var clearsError: Bool
    /// Added to `attempts`.
    public var attemptsDelta: Int
    public var runID: Int64?
    /// The audit row of the call behind this change, if a call was made.
    public var attempt: AttemptRecord?

    public init(
        userID: Int64, state: UserState, grantID: String? = nil, credentialID: String? = nil,
        error: RecordedError? = nil, clearsError: Bool = false, attemptsDelta: Int = 0, runID: Int64? = nil,
        attempt: AttemptRecord? = nil
    ) {
        self.userID = userID
        self.state = state
        self.grantID = grantID
        self.credentialID = credentialID
        self.error = error
        self.clearsError = clearsError
        self.attemptsDelta = attemptsDelta
        self.runID = runID
        self.attempt = attempt
    }
}
