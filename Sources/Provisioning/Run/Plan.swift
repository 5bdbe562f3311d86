import Foundation
import GrantLedger
import NylasAPI

/// The export compared with the ledger: who needs what tonight.
public struct Plan: Sendable {
    /// A user already in the ledger that needs work.
    public struct Known: Sendable, Hashable {
        public var id: Int64
        public var email: String

        public init(id: Int64, email: String) {
            self.id = id
            self.email = email
        }
    }

    /// A user of the export whose existing grant is recorded instead of authenticating again.
    public struct Adoption: Sendable, Hashable {
        public var email: String
        /// Nil for a user not yet in the ledger.
        public var userID: Int64?
        public var grantID: String
        public var credentialID: String?
    }

    /// How many addresses of each class a plan shows.
    public static let sampleSize = 5

    /// Never seen before: to be created.
    public var new: [String] = []
    /// Granted earlier: skipped, no call.
    public var granted = 0
    public var grantedSample: [String] = []
    /// Failed, deferred, pending or revoked earlier: to be tried again.
    public var retry: [Known] = []
    /// Left `in_flight` by a killed run, or `revoking` and back in the export: to be looked up
    /// before anything is sent.
    public var unknown: [Known] = []
    /// Granted, but Nylas lists the grant as `invalid`: to be re-authenticated (`--repair-invalid`).
    public var repair: [Known] = []
    /// Existing grants found by listing them, recorded as granted with no authentication.
    public var adopted: [Adoption] = []
    /// Granted earlier (or left `revoking`) and absent from this export, by email.
    public var departed: [String] = []
    /// The same users with their ids, for revocation.
    public var departedUsers: [Known] = []
    /// Users in the export.
    public var exportUsers = 0

    /// Builds the plan. `emails` must be unique and normalised.
    public static func make(emails: [String], ledger users: [String: UserSnapshot]) -> Plan {
        var plan = Plan()
        plan.exportUsers = emails.count
        var seen = Set<String>()
        seen.reserveCapacity(emails.count)
        for email in emails {
            seen.insert(email)
            guard let user = users[email] else {
                plan.new.append(email)
                continue
            }
            switch user.state {
            case .granted:
                plan.granted += 1
                if plan.grantedSample.count < sampleSize { plan.grantedSample.append(email) }
            case .inFlight, .revoking:
                // A revocation cut off by a kill, for someone back in the export: whether the
                // grant still exists is unknown, so look before authenticating.
                plan.unknown.append(Known(id: user.id, email: email))
            case .pending, .failed, .deferred, .revoked:
                plan.retry.append(Known(id: user.id, email: email))
            }
        }
        for (email, user) in users where (user.state == .granted || user.state == .revoking) && !seen.contains(email) {
            plan.departedUsers.append(Known(id: user.id, email: email))
        }
        plan.departedUsers.sort { $0.email < $1.email }
        plan.departed = plan.departedUsers.map(\.email)
        return plan
    }

    /// With `--domain`, users of other domains are outside tonight's export, not absent from
    /// it: they must not count as departed (nor be revoked).
    public mutating func keepDeparted(inDomains domains: Set<String>) {
        guard !domains.isEmpty else { return }
        let allowed = Set(domains.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "@.")) })
        departedUsers.removeAll { user in
            guard let at = user.email.lastIndex(of: "@") else { return true }
            return !allowed.contains(String(user.email[user.email.index(after: at)...]))
        }
        departed = departedUsers.map(\.email)
    }

    /// Users this plan authenticates with custom authentication, not counting those that a
    /// lookup of an unknown outcome sends on.
    public var authentications: Int { new.count + retry.count + repair.count }

    /// Records the export's users that already hold a valid grant of `provider` as adopted,
    /// so that they cost no authentication. Grants that are not valid are left to custom
    /// authentication, which re-authenticates them.
    public mutating func adopt(_ grants: [Grant], provider: Provider) {
        var byEmail: [String: Grant] = [:]
        for grant in grants where grant.provider == provider.rawValue && grant.isValid {
            guard let email = grant.email?.lowercased() else { continue }
            byEmail[email] = byEmail[email] ?? grant
        }
        guard !byEmail.isEmpty else { return }
        var found: [Adoption] = []
        func take(_ email: String, _ id: Int64?) -> Bool {
            guard let grant = byEmail[email] else { return false }
            found.append(Adoption(email: email, userID: id, grantID: grant.id, credentialID: grant.credentialId))
            return true
        }
        new.removeAll { take($0, nil) }
        retry.removeAll { take($0.email, $0.id) }
        unknown.removeAll { take($0.email, $0.id) }
        adopted += found
    }

    /// Moves the export's granted users whose grant Nylas lists as invalid to `repair`.
    /// - Parameter invalid: emails (lower-cased) of this provider's invalid grants.
    public mutating func repair(invalid: Set<String>, ledger users: [String: UserSnapshot], export: Set<String>) {
        guard !invalid.isEmpty else { return }
        for email in invalid.sorted() where export.contains(email) {
            guard let user = users[email], user.state == .granted else { continue }
            repair.append(Known(id: user.id, email: email))
        }
        guard !repair.isEmpty else { return }
        granted -= repair.count
        let repaired = Set(repair.map(\.email))
        grantedSample.removeAll { repaired.contains($0) }
    }

    /// Counts per class, as the report and the dry run print them.
    public var counts: [String: Int] {
        [
            "new": new.count, "granted": granted, "retry": retry.count, "unknown": unknown.count,
            "repair": repair.count, "adopted": adopted.count, "departed": departed.count,
        ]
    }
}
