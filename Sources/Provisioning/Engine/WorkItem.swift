import NylasAPI

/// One user the engine must handle.
public struct WorkItem: Sendable, Hashable {
    public var userID: Int64
    public var email: String
    /// The ledger found the user `in_flight`: a call may have been applied, so the engine looks
    /// the grant up before it sends anything.
    public var needsReconcile: Bool

    public init(userID: Int64, email: String, needsReconcile: Bool) {
        self.userID = userID
        self.email = email
        self.needsReconcile = needsReconcile
    }
}

/// What happened to one user, returned by its task.
public struct UserOutcome: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A grant exists now (created, or found by a lookup).
        case granted(foundByLookup: Bool)
        case failed
        /// Retries ran out; `outcomeUnknown` users stay `in_flight` and are looked up next run.
        case deferred(outcomeUnknown: Bool)
        /// The run stopped before this user was finished.
        case stopped
        /// The call met a cause that reaches the whole credential or application: the user is
        /// left as they were (pending), nothing being wrong with them.
        case held
    }

    public var kind: Kind
    public var email: String
    public var apiCalls: Int
    public var error: NylasError?
    /// What the catalogue made of `error`.
    public var diagnosis: Diagnosis?

    public init(kind: Kind, email: String, apiCalls: Int, error: NylasError?, diagnosis: Diagnosis? = nil) {
        self.kind = kind
        self.email = email
        self.apiCalls = apiCalls
        self.error = error
        self.diagnosis = diagnosis
    }
}
