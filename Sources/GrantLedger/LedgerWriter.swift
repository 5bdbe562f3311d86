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
                    for update in batch { try Self.apply(update, db) }
                }
                busySeconds += (ContinuousClock.now - started) / .seconds(1)
                commits += 1
                updatesWritten += batch.count
                batchWaiters.forEach { $0.resume() }
            } catch {
                let failure = LedgerError(
                    code: .unwritable, path: path,
                    message: "could not record \(batch.count) outcome(s): \(error); free disk space or fix permissions, then rerun (unrecorded calls are reconciled)")
                batchWaiters.forEach { $0.resume(throwing: failure) }
            }
        }
        flushing = false
    }

    private static func apply(_ update: UserUpdate, _ db: Database) throws {
        var assignments = "state = ?, updated_at = ?, attempts = attempts + ?"
        var arguments: StatementArguments = [update.state.rawValue, Date().timeIntervalSince1970, update.attemptsDelta]
        if let grantID = update.grantID {
            assignments += ", grant_id = ?"
            arguments += [grantID]
        }
        if let credentialID = update.credentialID {
            assignments += ", credential_id = ?"
            arguments += [credentialID]
        }
        if let error = update.error {
            assignments += ", last_status = ?, last_error_type = ?, last_error_message = ?, last_request_id = ?"
            arguments += [error.status, error.type, error.message, error.requestID]
        } else if update.clearsError {
            assignments += ", last_status = NULL, last_error_type = NULL, last_error_message = NULL"
        }
        if let runID = update.runID {
            assignments += ", last_seen_run = ?"
            arguments += [runID]
        }
        arguments += [update.userID]
        try db.execute(sql: "UPDATE users SET \(assignments) WHERE id = ?", arguments: arguments)
        if var attempt = update.attempt {
            try attempt.insert(db)
        }
    }
}
