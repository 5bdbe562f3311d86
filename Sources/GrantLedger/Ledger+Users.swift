import Foundation
import GRDB

/// Reading and writing users, runs and attempts.
extension Ledger {
    /// Every user of a provider, by email: what the planner compares an export with.
    public func users(provider: String) async throws -> [String: UserSnapshot] {
        do {
            return try await pool.read { db in
                var result: [String: UserSnapshot] = [:]
                let cursor = try Row.fetchCursor(
                    db, sql: "SELECT id, email, state, organisation FROM users WHERE provider = ?", arguments: [provider])
                while let row = try cursor.next() {
                    let state = UserState(rawValue: row[2]) ?? .pending
                    result[row[1]] = UserSnapshot(id: row[0], state: state, organisation: row[3])
                }
                return result
            }
        } catch {
            // The first full read is where a damaged page shows: say so as `open` would.
            throw Ledger.classify(error, path: path)
        }
    }

    /// One user's full record.
    public func user(provider: String, email: String) async throws -> UserRecord? {
        try await pool.read { db in
            try UserRecord.filter(UserRecord.Columns.provider == provider && UserRecord.Columns.email == email)
                .fetchOne(db)
        }
    }

    /// Every record, optionally in one state, ordered by email.
    public func records(provider: String? = nil, state: UserState? = nil) async throws -> [UserRecord] {
        try await pool.read { db in
            var request = UserRecord.order(UserRecord.Columns.email)
            if let provider { request = request.filter(UserRecord.Columns.provider == provider) }
            if let state { request = request.filter(UserRecord.Columns.state == state.rawValue) }
            return try request.fetchAll(db)
        }
    }

    /// Adds users first seen in this run as `pending`, in one transaction; returns their ids.
    public func insertPending(
        emails: [String], provider: String, organisation: String = "", runID: Int64
    ) async throws -> [String: Int64] {
        guard !emails.isEmpty else { return [:] }
        do {
            return try await pool.write { db in
                let now = Date().timeIntervalSince1970
                let statement = try db.makeStatement(
                    sql: """
                        INSERT INTO users (provider, email, organisation, state, attempts, first_seen_run, last_seen_run, updated_at)
                        VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)
                        """)
                var ids: [String: Int64] = [:]
                ids.reserveCapacity(emails.count)
                for email in emails {
                    try statement.execute(arguments: [provider, email, organisation, runID, runID, now])
                    ids[email] = db.lastInsertedRowID
                }
                return ids
            }
        } catch {
            throw Ledger.classify(error, path: path)
        }
    }

    /// Writes updates through the group-commit writer; returns once they are durable.
    public func apply(_ updates: [UserUpdate]) async throws {
        try await writerHandle.write(updates)
    }

    /// Transactions the group-commit writer has committed, the updates in them, and the
    /// seconds spent writing them.
    public func writerStatistics() async -> (commits: Int, updates: Int, busySeconds: Double) {
        (await writerHandle.commits, await writerHandle.updatesWritten, await writerHandle.busySeconds)
    }

    // MARK: Runs

    /// Records the start of a run and returns its id.
    public func startRun(_ run: RunRecord) async throws -> Int64 {
        do {
            return try await pool.write { db in
                var run = run
                try run.insert(db)
                return run.id!
            }
        } catch {
            throw Ledger.classify(error, path: path)
        }
    }

    /// Records how a run ended.
    public func finishRun(id: Int64, outcome: String, exitCode: Int, counts: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE runs SET finished_at = ?, outcome = ?, exit_code = ?, counts = ? WHERE id = ?",
                arguments: [Date().timeIntervalSince1970, outcome, exitCode, counts, id])
        }
    }

    /// The most recent runs, newest first.
    public func recentRuns(limit: Int = 10) async throws -> [RunRecord] {
        try await pool.read { db in
            try RunRecord.order(Column("id").desc).limit(limit).fetchAll(db)
        }
    }

    /// Audit rows of one user, oldest first.
    public func attempts(userID: Int64) async throws -> [AttemptRecord] {
        try await pool.read { db in
            try AttemptRecord.filter(Column("user_id") == userID).order(Column("id")).fetchAll(db)
        }
    }

    /// `PRAGMA integrity_check`.
    public func integrityCheck() async throws -> String {
        try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }
}
