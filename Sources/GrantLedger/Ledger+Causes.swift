import Foundation
import GRDB

/// A failed user that the next run leaves alone: it failed with the same cause of its own in
/// several runs in a row, so it is tried after 1, 3, then every 7 runs instead of every night.
public struct RestingUser: Sendable, Hashable {
    public var id: Int64
    public var email: String
    public var cause: String?
    /// Runs in a row it failed with that cause.
    public var streak: Int
    /// Runs to go before it is tried again (1: the next run).
    public var runsToWait: Int
}

extension Ledger {
    /// Runs a user must sit out after failing with the same cause `streak` runs in a row.
    public static func restRuns(streak: Int) -> Int {
        switch streak {
        case ..<2: return 0
        case 2: return 1
        case 3: return 3
        default: return 7
        }
    }

    /// Failed users of a provider (and organisation) that sit this run out: see `RestingUser`.
    /// Runs are counted among the provider's (and organisation's) runs since the user's last
    /// failure.
    public func restingUsers(provider: String, organisation: String? = nil) async throws -> [RestingUser] {
        do {
            return try await pool.read { db in
                let organisationFilter = organisation == nil ? "" : " AND u.organisation = ?"
                let runOrganisation = organisation == nil ? "" : " AND COALESCE(r.organisation, '') = ?"
                // The same values twice: the runs' filter, then the users'.
                let scope: [String] = [provider] + (organisation.map { [$0] } ?? [])
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT u.id, u.email, u.cause, u.cause_streak,
                          (SELECT COUNT(*) FROM runs r WHERE r.id > u.failed_run AND r.provider = ?\(runOrganisation)) AS since
                        FROM users u
                        WHERE u.state = 'failed' AND u.cause_streak >= 2 AND u.failed_run IS NOT NULL
                          AND u.provider = ?\(organisationFilter)
                        """,
                    arguments: StatementArguments(scope + scope))
                return rows.compactMap { row in
                    let streak: Int = row[3]
                    let since: Int = row[4]
                    let wait = Self.restRuns(streak: streak) - since
                    guard wait > 0 else { return nil }
                    return RestingUser(id: row[0], email: row[1], cause: row[2], streak: streak, runsToWait: wait)
                }
            }
        } catch {
            throw Ledger.classify(error, path: path)
        }
    }
}
