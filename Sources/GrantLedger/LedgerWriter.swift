import Foundation
import GRDB

/// Group commit: every caller waits until its updates are durable, but all updates that arrive
/// while a transaction is being written go together into the next one, so 64 concurrent
/// requests share a handful of fsyncs instead of queueing on one each.
actor LedgerWriter {
    private let pool: DatabasePool
    private let path: String
    private var queued: [UserUpdate] = []
    private var waiters: [CheckedContinuation<Void, Error>] = []
    private var flushing = false
    /// Transactions committed, for tests and the overhead benchmark.
    private(set) var commits = 0
    private(set) var updatesWritten = 0
    /// Seconds spent inside write transactions, for the overhead benchmark's ledger share.
    private(set) var busySeconds = 0.0

    init(pool: DatabasePool, path: String) {
        self.pool = pool
        self.path = path
    }

    /// Returns once `updates` are committed, or throws when the transaction failed.
    func write(_ updates: [UserUpdate]) async throws {
        guard !updates.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            queued.append(contentsOf: updates)
            waiters.append(continuation)
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !queued.isEmpty {
            let batch = queued
            let batchWaiters = waiters
            queued = []
            waiters = []
            let started = ContinuousClock.now
            do {
                try await pool.write { db in
                    let now = Date().timeIntervalSince1970
                    for update in batch { try Self.apply(update, db, now: now) }
                }
                busySeconds += (ContinuousClock.now - started) / .seconds(1)
                commits += 1
                updatesWritten += batch.count
                batchWaiters.forEach { $0.resume() }
            } catch {
                // Say what the cause calls for: space, permissions, or a damaged file.
                let cause = Ledger.classify(error, path: path)
                let failure = LedgerError(
                    code: cause.code, path: path,
                    message: "could not record \(batch.count) outcome(s): \(cause.message); then rerun (calls whose outcome was not recorded are looked up first)")
                batchWaiters.forEach { $0.resume(throwing: failure) }
            }
        }
        flushing = false
    }

    /// One cached statement serves every update: optional fields keep their value when absent,
    /// so the hot path never builds or prepares SQL.
    private static let updateSQL = """
        UPDATE users SET state = ?, updated_at = ?, attempts = attempts + ?,
          grant_id = COALESCE(?, grant_id), credential_id = COALESCE(?, credential_id),
          last_status = CASE ? WHEN 1 THEN ? WHEN 2 THEN NULL ELSE last_status END,
          last_error_type = CASE ? WHEN 1 THEN ? WHEN 2 THEN NULL ELSE last_error_type END,
          last_error_message = CASE ? WHEN 1 THEN ? WHEN 2 THEN NULL ELSE last_error_message END,
          last_request_id = CASE ? WHEN 1 THEN ? ELSE last_request_id END,
          cause_streak = CASE ?1 WHEN 'failed' THEN (CASE WHEN cause IS ? THEN cause_streak + 1 ELSE 1 END)
            WHEN 'granted' THEN 0 ELSE cause_streak END,
          failed_run = CASE ?1 WHEN 'failed' THEN ? ELSE failed_run END,
          cause = CASE ? WHEN 1 THEN ? WHEN 2 THEN NULL ELSE cause END,
          last_seen_run = COALESCE(?, last_seen_run)
        WHERE id = ?
        """
    private static let attemptSQL = """
        INSERT INTO attempts (user_id, run_id, at, call, outcome, status, request_id, error_type)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """

    private static func apply(_ update: UserUpdate, _ db: Database, now: Double) throws {
        // 0 keeps the recorded error, 1 replaces it, 2 clears it.
        let mode = update.error != nil ? 1 : (update.clearsError ? 2 : 0)
        let error = update.error
        try db.cachedStatement(sql: updateSQL).execute(arguments: [
            update.state.rawValue, now, update.attemptsDelta, update.grantID, update.credentialID,
            mode, error?.status, mode, error?.type, mode, error?.message, mode, error?.requestID,
            error?.cause, update.runID, mode, error?.cause,
            update.runID, update.userID,
        ])
        if let attempt = update.attempt {
            try db.cachedStatement(sql: attemptSQL).execute(arguments: [
                attempt.userID, attempt.runID, attempt.at, attempt.call, attempt.outcome, attempt.status,
                attempt.requestID, attempt.errorType,
            ])
        }
    }
}
