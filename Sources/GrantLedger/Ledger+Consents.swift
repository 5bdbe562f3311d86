import GRDB

/// A Microsoft admin consent received by `bulkgrant consent listen`.
public struct ConsentRecord: Sendable, Hashable {
    public var credentialID: String
    /// Seconds since 1970 when the redirect reached the listener.
    public var consentedAt: Double
    public var tenant: String?

    public init(credentialID: String, consentedAt: Double, tenant: String? = nil) {
        self.credentialID = credentialID
        self.consentedAt = consentedAt
        self.tenant = tenant
    }
}

/// Admin consents, one per credential: Microsoft caches scopes, so grants must wait 5 minutes
/// after the consent that the run finds here.
extension Ledger {
    /// Records (or replaces) the consent of `record.credentialID`.
    public func recordConsent(_ record: ConsentRecord) async throws {
        do {
            try await pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO consents (credential_id, consented_at, tenant) VALUES (?, ?, ?)
                        ON CONFLICT(credential_id) DO UPDATE SET consented_at = excluded.consented_at,
                        tenant = excluded.tenant
                        """,
                    arguments: [record.credentialID, record.consentedAt, record.tenant])
            }
        } catch {
            throw Ledger.classify(error, path: path)
        }
    }

    /// The last consent recorded for `credentialID`, or nil.
    public func consent(credentialID: String) async throws -> ConsentRecord? {
        do {
            return try await pool.read { db in
                // A ledger opened read-only (`--dry-run`) may predate the consents table:
                // it then has no consent, rather than an error.
                guard try db.tableExists("consents") else { return nil }
                return try Row.fetchOne(
                    db, sql: "SELECT consented_at, tenant FROM consents WHERE credential_id = ?",
                    arguments: [credentialID]
                ).map { ConsentRecord(credentialID: credentialID, consentedAt: $0["consented_at"], tenant: $0["tenant"]) }
            }
        } catch {
            throw Ledger.classify(error, path: path)
        }
    }
}
