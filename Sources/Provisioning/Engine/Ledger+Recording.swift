import Foundation
import GrantLedger

extension Ledger {
    /// Writes through the group-commit writer; a failure stops the run, so that nothing more
    /// is sent whose outcome could not be recorded. Returns whether the write landed.
    func record(_ update: UserUpdate, orStop control: RunControl) async -> Bool {
        do {
            try await apply([update])
            return true
        } catch {
            await control.stop(.ledger("\(error)"))
            return false
        }
    }
}

extension AttemptRecord {
    /// The audit row of a call made now.
    static func now(
        userID: Int64, runID: Int64, call: String, outcome: String, status: Int?, requestID: String?,
        errorType: String?
    ) -> AttemptRecord {
        AttemptRecord(
            userID: userID, runID: runID, at: Date().timeIntervalSince1970, call: call, outcome: outcome,
            status: status, requestID: requestID, errorType: errorType)
    }
}
