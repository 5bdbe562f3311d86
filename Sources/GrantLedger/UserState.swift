/// Where a user stands in the ledger.
///
/// `pending → in_flight → granted | failed | deferred`; `in_flight` found at start-up means a
/// call may have been applied, so the user is reconciled before anything is sent;
/// `granted → revoking → revoked`.
public enum UserState: String, Sendable, Codable, CaseIterable, Hashable {
    case pending
    case inFlight = "in_flight"
    case granted
    /// A permanent answer for this user this run (for example not in the domain).
    case failed
    /// Retries ran out on transient errors.
    case deferred
    case revoking
    case revoked
}
