import GRDB

/// One user as the planner needs it.
public struct LedgerRow: Sendable, Hashable {
    public var email: String
    public var id: Int64
    public var state: UserState

    public init(email: String, id: Int64, state: UserState) {
        self.email = email
        self.id = id
        self.state = state
    }
}

/// Every user of a provider, packed: the emails in one byte buffer, the ids and states in
/// arrays. A million users take about 40 MB instead of the 100 MB that a million separate
/// strings and row structs would; each `LedgerRow` is built when it is read.
public struct LedgerRows: RandomAccessCollection, Sendable {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    private var ids: [Int64] = []
    private var states: [UserState] = []

    public init() {}

    public init(_ rows: some Sequence<LedgerRow>) {
        for row in rows { append(email: row.email, id: row.id, state: row.state) }
    }

    mutating func reserve(_ count: Int) {
        bytes.reserveCapacity(count * 28)
        ends.reserveCapacity(count)
        ids.reserveCapacity(count)
        states.reserveCapacity(count)
    }

    mutating func append(email: String, id: Int64, state: UserState) {
        bytes.append(contentsOf: email.utf8)
        ends.append(bytes.count)
        ids.append(id)
        states.append(state)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { ids.count }

    public subscript(position: Int) -> LedgerRow {
        let start = position == 0 ? 0 : ends[position - 1]
        let email = bytes[start..<ends[position]].withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
        return LedgerRow(email: email, id: ids[position], state: states[position])
    }
}

extension Ledger {
    /// Every user of a provider, packed, read on SQLite's reader thread.
    ///
    /// The state comes back as a small integer from SQL, so each row costs one transient
    /// string (the email) and a few bytes.
    /// - Parameter organisation: only that organisation's users (a job's organisation); nil:
    ///   all of the provider's.
    public func userRows(provider: String, organisation: String? = nil) async throws -> LedgerRows {
        do {
            return try await pool.read { db in
                let states = UserState.allCases
                let code = states.enumerated().map { "WHEN '\($0.element.rawValue)' THEN \($0.offset)" }
                    .joined(separator: " ")
                let filter = organisation == nil ? "provider = ?" : "provider = ? AND organisation = ?"
                let arguments: StatementArguments =
                    organisation.map { [provider, $0] } ?? [provider]
                let statement = try db.makeStatement(
                    sql: "SELECT email, id, CASE state \(code) ELSE 0 END FROM users WHERE \(filter)")
                statement.arguments = arguments
                var rows = LedgerRows()
                rows.reserve(
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users WHERE \(filter)", arguments: arguments) ?? 0)
                let cursor = try Row.fetchCursor(statement)
                while let row = try cursor.next() {
                    let index: Int = row[2]
                    rows.append(email: row[0], id: row[1], state: states[index])
                }
                return rows
            }
        } catch {
            // The first full read is where a damaged page shows: say so as `open` would.
            throw Ledger.classify(error, path: path)
        }
    }
}
