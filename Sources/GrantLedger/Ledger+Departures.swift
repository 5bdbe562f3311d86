import GRDB

/// What the morning report reads besides `status`'s queries: users by organisation, and the
/// users whose grants were revoked. Read-only.
extension Ledger {
    /// Users per state for each organisation and provider ("" for users of single runs).
    public func stateCountsByOrganisation(provider: String? = nil, organisation: String? = nil) async throws
        -> [OrganisationStateCount]
    {
        try await pool.read { db in
            let scope = UserScope(provider: provider, organisation: organisation)
            var result: [String: OrganisationStateCount] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT organisation, provider, state, COUNT(*) FROM users\(scope.whereClause) GROUP BY organisation, provider, state",
                arguments: scope.arguments)
            {
                let (name, provider): (String, String) = (row[0], row[1])
                guard let state = UserState(rawValue: row[2]) else { continue }
                let key = name + "\u{0}" + provider
                result[key, default: OrganisationStateCount(organisation: name, provider: provider)].counts[state] = row[3]
            }
            return result.values.sorted { ($0.organisation, $0.provider) < ($1.organisation, $1.provider) }
        }
    }

    /// Users revoked or being revoked, most recent first, each with the revocation's last call.
    public func departedUsers(provider: String? = nil, organisation: String? = nil, limit: Int = 50) async throws
        -> [DepartedUser]
    {
        try await pool.read { db in
            var (sql, arguments) = UserScope(provider: provider, organisation: organisation, table: "u").and(
                """
                SELECT u.email, u.provider, u.organisation, u.state, u.updated_at, u.last_status, u.last_error_type,
                  u.last_error_message, a.run_id, a.status, a.call
                FROM users u
                LEFT JOIN attempts a ON a.id = (
                  SELECT MAX(id) FROM attempts
                  WHERE user_id = u.id AND outcome IN ('revoked', 'not_found')
                    AND call IN ('\(DepartedUser.deleteCall)', '\(DepartedUser.lookupCall)'))
                WHERE u.state IN ('revoked', 'revoking')
                """)
            sql += " ORDER BY u.updated_at DESC, u.email LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                DepartedUser(
                    email: row[0], provider: row[1], organisation: row[2],
                    state: UserState(rawValue: row[3]) ?? .revoked, updatedAt: row[4], lastStatus: row[5],
                    lastErrorType: row[6], lastErrorMessage: row[7], runID: row[8], callStatus: row[9], call: row[10])
            }
        }
    }
}

/// One organisation's users per state, of one provider.
public struct OrganisationStateCount: Sendable, Hashable {
    /// "" for users recorded by single runs (no job).
    public var organisation: String
    public var provider: String
    public var counts: [UserState: Int] = [:]

    public var total: Int { counts.values.reduce(0, +) }
}

/// A user whose grant was revoked (or whose revocation is unfinished), with the call that
/// settled it.
public struct DepartedUser: Sendable, Hashable {
    /// The calls a revocation records (see the provisioning library's revoker).
    public static let deleteCall = "DELETE /v3/grants/{grantId}"
    public static let lookupCall = "GET /v3/grants"

    public var email: String
    public var provider: String
    public var organisation: String
    public var state: UserState
    public var updatedAt: Double
    public var lastStatus: Int?
    public var lastErrorType: String?
    public var lastErrorMessage: String?
    /// The run whose call settled the revocation; nil when none did (deleted by hand with
    /// `bulkgrant grants delete`, which records no run).
    public var runID: Int64?
    /// That call's status: 200 deleted, 404 already gone; 200 on the lookup: no grant found.
    public var callStatus: Int?
    public var call: String?
}
