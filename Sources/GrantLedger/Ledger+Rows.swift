import GRDB

/// One user as the planner needs it, fetched in bulk.
public struct LedgerRow: Sendable, Hashable {
    public var email: String
    public var id: Int64
    public var state: UserState
}

extension Ledger {
    /// Every user of a provider, as compact rows, read on SQLite's reader thread.
    ///
    /// The state comes back as a small integer from SQL, so a million rows cost one string
    /// each (the email) rather than two.
    public func userRows(provider: String) async throws -> [LedgerRow] {
        try await pool.read { db in
            let states = UserState.allCases
            let code = states.enumerated().map { "WHEN '\($0.element.rawValue)' THEN \($0.offset)" }.joined(separator: " ")
            let statement = try db.makeStatement(
                sql: "SELECT email, id, CASE state \(code) ELSE 0 END FROM users WHERE provider = ?")
            statement.arguments = [provider]
            var rows: [LedgerRow] = []
            rows.reserveCapacity(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users WHERE provider = ?", arguments: [provider]) ?? 0)
            let cursor = try Row.fetchCursor(statement)
            while let row = try cursor.next() {
                let index: Int = row[2]
                rows.append(LedgerRow(email: row[0], id: row[1], state: states[index]))
            }
            return rows
        }
    }
}
