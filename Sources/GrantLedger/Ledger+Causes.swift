import Foundation
import GRDB

/// What bulkgrant recorded of a credential it created: the values a fix must name.
public struct CredentialFacts: Sendable, Hashable {
    public var id: String
    public var provider: String
    public var name: String?
    /// Google: the service account's OAuth client id; Microsoft: the Azure app's client id.
    public var clientID: String?
    /// Google: the service account's address.
    public var clientEmail: String?
    /// Google: `private_key_id` of the key registered.
    public var keyID: String?
    /// Microsoft: the tenant.
    public var tenant: String?
    public var recordedAt: Double

    public init(
        id: String, provider: String, name: String? = nil, clientID: String? = nil, clientEmail: String? = nil,
        keyID: String? = nil, tenant: String? = nil, recordedAt: Double = Date().timeIntervalSince1970
    ) {
        self.id = id
        self.provider = provider
        self.name = name
        self.clientID = clientID
        self.clientEmail = clientEmail
        self.keyID = keyID
        self.tenant = tenant
        self.recordedAt = recordedAt
    }
}

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

    /// Records what bulkgrant learnt of a credential it created or rotated.
    public func recordCredential(_ facts: CredentialFacts) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO credentials (id, provider, name, client_id, client_email, key_id, tenant, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET provider = excluded.provider, name = excluded.name,
                      client_id = excluded.client_id, client_email = excluded.client_email, key_id = excluded.key_id,
                      tenant = excluded.tenant, recorded_at = excluded.recorded_at
                    """,
                arguments: [
                    facts.id, facts.provider, facts.name, facts.clientID, facts.clientEmail, facts.keyID, facts.tenant,
                    facts.recordedAt,
                ])
        }
    }

    /// What bulkgrant recorded of credential `id`, if it created it.
    public func credentialFacts(id: String) async throws -> CredentialFacts? {
        try await pool.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT id, provider, name, client_id, client_email, key_id, tenant, recorded_at FROM credentials WHERE id = ?",
                arguments: [id]
            ).map {
                CredentialFacts(
                    id: $0[0], provider: $0[1], name: $0[2], clientID: $0[3], clientEmail: $0[4], keyID: $0[5],
                    tenant: $0[6], recordedAt: $0[7])
            }
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
