import Foundation
import GRDB

/// What bulkgrant recorded of a credential it created or rotated: the values a fix must name,
/// and the key a rotation replaced. Never a key or a secret.
public struct CredentialFacts: Sendable, Hashable {
    public var id: String
    public var provider: String
    public var name: String?
    /// Google: the service account's OAuth client id; Microsoft: the Azure app's client id (nil
    /// when the credential uses the connector's Azure app).
    public var clientID: String?
    /// Google: the service account's address.
    public var clientEmail: String?
    /// Google: `private_key_id` of the key registered. Microsoft: a short fingerprint of the
    /// client secret (`sha256:` and 8 hex digits of its hash, which cannot give the secret back),
    /// so that a rotation run again knows the secret is already in place.
    public var keyID: String?
    /// Microsoft: the tenant.
    public var tenant: String?
    /// The file the key or secret was read from (a path; nil for `NYLAS_MS_CLIENT_SECRET`).
    public var keySource: String?
    public var recordedAt: Double
    /// The key (or secret fingerprint) the last rotation replaced, its file, and when
    /// bulkgrant had recorded it.
    public var previousKeyID: String?
    public var previousKeySource: String?
    public var previousRecordedAt: Double?

    public init(
        id: String, provider: String, name: String? = nil, clientID: String? = nil, clientEmail: String? = nil,
        keyID: String? = nil, tenant: String? = nil, keySource: String? = nil,
        recordedAt: Double = Date().timeIntervalSince1970
    ) {
        self.id = id
        self.provider = provider
        self.name = name
        self.clientID = clientID
        self.clientEmail = clientEmail
        self.keyID = keyID
        self.tenant = tenant
        self.keySource = keySource
        self.recordedAt = recordedAt
    }
}

/// The `credentials` table: what `credentials create` and `credentials rotate` learnt.
extension Ledger {
    private static let factColumns =
        "id, provider, name, client_id, client_email, key_id, tenant, key_source, recorded_at, previous_key_id, previous_key_source, previous_recorded_at"

    /// Records what bulkgrant learnt of a credential it created. A rotation recorded earlier
    /// for the same id is kept.
    public func recordCredential(_ facts: CredentialFacts) async throws {
        try await pool.write { db in try Self.upsert(facts, db) }
    }

    /// Records a rotation of credential `facts.id` to the key in `facts`, and returns what the
    /// ledger then holds. The key recorded so far becomes the previous one, unless it is
    /// already this key: a rotation run again after an interruption keeps naming the key it
    /// replaced.
    @discardableResult
    public func recordRotation(_ facts: CredentialFacts) async throws -> CredentialFacts {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE credentials SET previous_key_id = key_id, previous_key_source = key_source,
                      previous_recorded_at = recorded_at
                    WHERE id = ? AND key_id IS NOT ?
                    """,
                arguments: [facts.id, facts.keyID])
            try Self.upsert(facts, db)
            return try Self.facts(id: facts.id, db) ?? facts
        }
    }

    /// What bulkgrant recorded of credential `id`, if it created or rotated it.
    public func credentialFacts(id: String) async throws -> CredentialFacts? {
        try await pool.read { db in try Self.facts(id: id, db) }
    }

    /// Users granted with credential `credentialID`, most recently updated first, with their
    /// grant ids: who can prove a rotated key works without a grant being made.
    public func grantedUsers(credentialID: String, provider: String, limit: Int) async throws
        -> [(email: String, grantID: String)]
    {
        do {
            return try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT email, grant_id FROM users
                        WHERE state = 'granted' AND credential_id = ? AND provider = ? AND grant_id IS NOT NULL
                        ORDER BY updated_at DESC, id LIMIT ?
                        """,
                    arguments: [credentialID, provider, limit]
                ).map { (email: $0[0], grantID: $0[1]) }
            }
        } catch {
            throw Ledger.classify(error, path: path)
        }
    }

    private static func upsert(_ facts: CredentialFacts, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO credentials (id, provider, name, client_id, client_email, key_id, tenant, key_source, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET provider = excluded.provider, name = excluded.name,
                  client_id = excluded.client_id, client_email = excluded.client_email, key_id = excluded.key_id,
                  tenant = excluded.tenant, key_source = excluded.key_source, recorded_at = excluded.recorded_at
                """,
            arguments: [
                facts.id, facts.provider, facts.name, facts.clientID, facts.clientEmail, facts.keyID, facts.tenant,
                facts.keySource, facts.recordedAt,
            ])
    }

    private static func facts(id: String, _ db: Database) throws -> CredentialFacts? {
        try Row.fetchOne(db, sql: "SELECT \(factColumns) FROM credentials WHERE id = ?", arguments: [id]).map {
            var facts = CredentialFacts(
                id: $0[0], provider: $0[1], name: $0[2], clientID: $0[3], clientEmail: $0[4], keyID: $0[5],
                tenant: $0[6], keySource: $0[7], recordedAt: $0[8])
            facts.previousKeyID = $0[9]
            facts.previousKeySource = $0[10]
            facts.previousRecordedAt = $0[11]
            return facts
        }
    }
}
