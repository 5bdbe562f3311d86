import GRDB

/// Where a user of a multi-organisation job belongs.
public struct OrganisationMembership: Sendable, Hashable {
    public var organisation: String
    public var provider: String
    public var state: UserState
}

/// The organisation column of `users`, for multi-organisation jobs: one ledger serves every
/// organisation of a job, and an address may belong to one organisation only.
extension Ledger {
    /// Every user recorded under an organisation, by email.
    public func organisationMemberships() async throws -> [String: OrganisationMembership] {
        do {
            return try await pool.read { db in
                var result: [String: OrganisationMembership] = [:]
                let cursor = try Row.fetchCursor(
                    db, sql: "SELECT email, organisation, provider, state FROM users WHERE organisation != ''")
                while let row = try cursor.next() {
                    result[row[0]] = OrganisationMembership(
                        organisation: row[1], provider: row[2], state: UserState(rawValue: row[3]) ?? .pending)
                }
                return result
            }
        } catch {
            throw Ledger.classify(error, path: path)
        }
    }

    /// Records users that single runs wrote (no organisation) as members of `organisation`,
    /// so that a ledger kept by single runs can move to a job, and users whose grant another
    /// organisation revoked (a person who moved). Returns how many it claimed.
    @discardableResult
    public func claim(emails: [String], provider: String, organisation: String) async throws -> Int {
        guard !emails.isEmpty else { return 0 }
        do {
            return try await pool.write { db in
                let statement = try db.makeStatement(
                    sql: """
                        UPDATE users SET organisation = ?1
                        WHERE provider = ?2 AND email = ?3 AND (organisation = '' OR (state = 'revoked' AND organisation != ?1))
                        """)
                var claimed = 0
                for email in emails {
                    try statement.execute(arguments: [organisation, provider, email])
                    claimed += db.changesCount
                }
                return claimed
            }
        } catch {
            throw Ledger.classify(error, path: path)
        }
    }

    /// Users by state, of one provider and organisation (nil: all of them).
    public func stateCounts(provider: String? = nil, organisation: String? = nil) async throws -> [UserState: Int] {
        try await pool.read { db in
            let scope = UserScope(provider: provider, organisation: organisation)
            var counts: [UserState: Int] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT state, COUNT(*) FROM users\(scope.whereClause) GROUP BY state", arguments: scope.arguments)
            {
                if let state = UserState(rawValue: row[0]) { counts[state] = row[1] }
            }
            return counts
        }
    }

    /// The organisations the ledger knows, sorted.
    public func organisationNames() async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT organisation FROM users WHERE organisation != '' ORDER BY 1")
        }
    }
}
