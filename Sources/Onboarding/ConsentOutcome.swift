/// How a consent listener ended: what the admin's redirect said, and whether it was recorded.
public enum ConsentOutcome: Sendable, Equatable {
    /// `admin_consent=true` with the right state. `recorded` is false when the listener was
    /// started without a credential id (nothing to record it under).
    case consented(at: Double, tenant: String?, recorded: Bool)
    /// An OAuth error redirect with the right state: nothing recorded.
    case refused(error: String, description: String?)
    /// Consent was given but the ledger could not record it.
    case recordFailed(at: Double, reason: String)
}
