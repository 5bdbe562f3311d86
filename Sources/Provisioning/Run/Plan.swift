import GrantLedger

/// The export compared with the ledger: who needs what tonight.
public struct Plan: Sendable {
    /// A user already in the ledger that needs work.
    public struct Known: Sendable, Hashable {
        public var id: Int64
        public var email: String
    }

    /// Never seen before: to be created.
    public var new: [String] = []
    /// Granted earlier: skipped, no call.
    public var granted = 0
    public var grantedSample: [String] = []
    /// Failed, deferred, pending or revoked earlier: to be tried again.
    public var retry: [Known] = []
    /// Left `in_flight` by a killed run: to be looked up before anything is sent.
    public var unknown: [Known] = []
    /// Granted earlier and absent from this export.
    public var departed: [String] = []

    /// Builds the plan. `emails` must be unique and normalised.
    public static func make(emails: [String], ledger users: [String: UserSnapshot]) -> Plan {
        var plan = Plan()
        var seen = Set<String>()
        seen.reserveCapacity(emails.count)
        for email in emails {
            seen.insert(email)
            guard let user = users[email] else {
                plan.new.append(email)
                continue
            }
            switch user.state {
            case .granted, .revoking:
                plan.granted += 1
                if plan.grantedSample.count < 5 { plan.grantedSample.append(email) }
            case .inFlight:
                plan.unknown.append(Known(id: user.id, email: email))
            case .pending, .failed, .deferred, .revoked:
                plan.retry.append(Known(id: user.id, email: email))
            }
        }
        for (email, user) in users where user.state == .granted && !seen.contains(email) {
            plan.departed.append(email)
        }
        plan.departed.sort()
        return plan
    }
}
