/// Which kind of call an error answered: the same answer means different things to a creation
/// (the user may now hold a grant) and to a lookup (nothing changed).
public enum CallKind: String, Sendable, Hashable, CaseIterable {
    /// `POST /v3/connect/custom`: creates or re-authenticates a grant.
    case create
    /// `GET /v3/grants?email=`: whether a user's grant exists.
    case lookup
    /// `DELETE /v3/grants/{id}`.
    case delete
    /// Listing pages (grants, credentials, connectors).
    case list
    /// One-off administration calls (credentials, connectors).
    case admin

    /// Whether the call changes something at Nylas, so that a lost answer leaves its outcome unknown.
    public var mutates: Bool { self == .create || self == .delete }
}
