import GRDB

/// Finding a user by the grant Nylas gave them, for commands that act on a grant id.
extension Ledger {
    /// The user whose recorded grant is `grantID`, or nil when the ledger does not know it.
    public func user(grantID: String) async throws -> UserRecord? {
        do {
            return try await pool.read { db in
                try UserRecord.filter(UserRecord.Columns.grantID == grantID).fetchOne(db)
            }
        } catch {
            throw Ledger.classify(error, path: path)
        }
    }
}
