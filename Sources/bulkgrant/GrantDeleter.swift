import Foundation
import GrantLedger
import NylasAPI

/// Deletes one grant and keeps the ledger true to it, with the protocol `run` uses: a user the
/// ledger knows is marked `revoking` (durably) before the DELETE leaves, then `revoked`. If the
/// command dies in between, the next run reconciles the user.
struct GrantDeleter {
    /// What became of one id.
    struct Outcome: Encodable {
        var id: String
        var deleted: Bool
        /// The user the ledger knew the grant as.
        var email: String?
        /// The user's ledger state afterwards (`revoked`, …); nil when the ledger does not know it.
        var ledgerState: String?
        var requestID: String?
        var error: String?

        enum CodingKeys: String, CodingKey {
            case id, deleted, email, error
            case ledgerState = "ledger_state"
            case requestID = "request_id"
        }
    }

    let client: NylasClient
    let ledger: Ledger?

    /// Deletes `id`. Throws the `NylasError` that must stop the command (authentication, or an
    /// API that keeps failing); a refusal of this id alone (404, …) is returned as an outcome.
    func delete(_ id: String) async throws -> Outcome {
        let user = try await ledger?.user(grantID: id)
        var outcome = Outcome(id: id, deleted: false, email: user?.email, ledgerState: user?.state.rawValue)
        if let user, let userID = user.id {
            try await ledger?.apply([UserUpdate(userID: userID, state: .revoking)])
            outcome.ledgerState = UserState.revoking.rawValue
        }
        do {
            let (answer, _) = try await Retrying.deleting { try await client.deleteGrant(id: id) }
            outcome.deleted = true
            outcome.requestID = answer.requestId
            try await settle(user, .revoked, &outcome)
            return outcome
        } catch let error as NylasError {
            outcome.requestID = error.requestID
            outcome.error = error.description
            if error.status == 404 {
                // Already gone from Nylas: the ledger must not go on calling it granted.
                try await settle(user, .revoked, &outcome)
            } else if !error.outcomeUnknown, let user {
                // Nothing was deleted: the user is what it was.
                try await settle(user, user.state, &outcome)
            }
            // An unknown outcome leaves the user `revoking`, for the next run to reconcile.
            if AdminCall.isRefusal(error) { return outcome }
            throw error
        }
    }

    private func settle(_ user: UserRecord?, _ state: UserState, _ outcome: inout Outcome) async throws {
        guard let user, let userID = user.id, let ledger else { return }
        try await ledger.apply([UserUpdate(userID: userID, state: state, clearsError: state == .revoked)])
        outcome.ledgerState = state.rawValue
    }
}
