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
    /// Failed, deferred, pending or revoked earlier: to be tried again, those that failed with a
    /// cause of their own last (new users come before them too).
    public var retry: [Known] = []
    /// Failed with the same cause of their own in several runs in a row: left alone this run.
    public var resting: [Known] = []
    /// Left `in_flight` by a killed run, or `revoking` and back in the export: to be looked up
    /// before anything is sent.
    public var unknown: [Known] = []
    /// Granted, but Nylas lists the grant as `invalid`: to be re-authenticated (`--repair-invalid`).
    public var repair: [Known] = []
    /// Existing grants found by listing them, recorded as granted with no authentication.
    public var adopted: [Adoption] = []
    /// Granted earlier and absent from this export, by email.
    public var departed: [String] = []
    /// Left `revoking` by an interrupted run and absent from this export: their revocation was
    /// decided then, so this run finishes it (it is no new departure for the safeguard).
    public var unfinishedRevocations: [Known] = []
    /// The same users with their ids, for revocation.
    public var departedUsers: [Known] = []
    /// Users in the export.
    public var exportUsers = 0

    /// Builds the plan. `emails` must be unique and normalised. A convenience over
    /// ``make(emails:positions:ledger:)`` for small callers and tests.
    public static func make(emails: [String], ledger users: [String: UserSnapshot]) -> Plan {
        var positions: [String: Int] = [:]
        for (index, email) in emails.enumerated() { positions[email] = index }
        let rows = LedgerRows(
            users.map { LedgerRow(email: $0.key, id: $0.value.id, state: $0.value.state) }.sorted { $0.id < $1.id })
        return make(emails: emails.map(EmailAddress.init(normalised:)), positions: positions, ledger: rows)
    }

    /// Builds the plan in one pass over the ledger's rows, matching each against the export's
    /// index, so that a million users cost no second table.
    /// - Parameters:
    ///   - emails: the export's addresses, unique and normalised, in file order.
    ///   - positions: each address's index in `emails`; -1 for an address the export holds but
    ///     `--domain` leaves out (neither planned nor departed).
    public static func make(emails: [EmailAddress], positions: [String: Int], ledger rows: LedgerRows) -> Plan {
        var plan = Plan()
        plan.exportUsers = emails.count
        var known = [Bool](repeating: false, count: emails.count)
        var granted: [Int] = []
        var retry: [(failed: Bool, position: Int, user: Known)] = []
        var unknown: [(Int, Known)] = []
        for row in rows {
            guard let position = positions[row.email] else {
                if row.state == .granted {
                    plan.departedUsers.append(Known(id: row.id, email: row.email))
                } else if row.state == .revoking {
                    plan.unfinishedRevocations.append(Known(id: row.id, email: row.email))
                }
                continue
            }
            guard position >= 0 else { continue }
            known[position] = true
            switch row.state {
            case .granted:
                plan.granted += 1
                // Keep the first few in export order: the smallest positions seen so far.
                if granted.count < sampleSize {
                    granted.append(position)
                } else if let largest = granted.indices.max(by: { granted[$0] < granted[$1] }),
                    position < granted[largest]
                {
                    granted[largest] = position
                }
            case .inFlight, .revoking:
                // A revocation cut off by a kill, for someone back in the export: whether the
                // grant still exists is unknown, so look before authenticating.
                unknown.append((position, Known(id: row.id, email: row.email)))
            case .pending, .failed, .deferred, .revoked:
                retry.append((row.state == .failed, position, Known(id: row.id, email: row.email)))
            }
        }
        // Work and samples follow the export's order, as an admin reads it.
        for (index, email) in emails.enumerated() where !known[index] { plan.new.append(email.value) }
        plan.retry = retry.sorted { ($0.failed ? 1 : 0, $0.position) < ($1.failed ? 1 : 0, $1.position) }.map(\.user)
        plan.unknown = unknown.sorted { $0.0 < $1.0 }.map(\.1)
        plan.grantedSample = granted.sorted().prefix(sampleSize).map { emails[$0].value }
        plan.departedUsers.sort { $0.email < $1.email }
        plan.departed = plan.departedUsers.map(\.email)
        return plan
    }

    /// With `--domain`, users of other domains are outside tonight's export, not absent from
    /// it: they must not count as departed (nor be revoked).
    public mutating func keepDeparted(inDomains domains: Set<String>) {
        guard !domains.isEmpty else { return }
        let allowed = Set(domains.map(InputSet.normaliseDomain))
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
        var positions: [String: Int] = [:]
        for email in export { positions[email] = 0 }
        repair(
            invalid: invalid, rows: LedgerRows(users.map { LedgerRow(email: $0.key, id: $0.value.id, state: $0.value.state) }),
            export: positions)
    }

    /// Moves the export's granted users whose grant Nylas lists as invalid to `repair`.
    /// - Parameters:
    ///   - invalid: emails (lower-cased) of this provider's invalid grants.
    ///   - export: the export's index (see ``make(emails:positions:ledger:)``).
    public mutating func repair(invalid: Set<String>, rows: LedgerRows, export: [String: Int]) {
        guard !invalid.isEmpty else { return }
        for row in rows where row.state == .granted && invalid.contains(row.email) {
            guard let position = export[row.email], position >= 0 else { continue }
            repair.append(Known(id: row.id, email: row.email))
        }
        guard !repair.isEmpty else { return }
        repair.sort { $0.email < $1.email }
        granted -= repair.count
        let repaired = Set(repair.map(\.email))
        grantedSample.removeAll { repaired.contains($0) }
    }

    /// Leaves out of tonight's work the failed users that rest (see `Ledger.restingUsers`).
    public mutating func rest(_ ids: Set<Int64>) {
        guard !ids.isEmpty else { return }
        resting += retry.filter { ids.contains($0.id) }
        retry.removeAll { ids.contains($0.id) }
    }

    /// Counts per class, as the report and the dry run print them.
    public var counts: [String: Int] {
        [
            "new": new.count, "granted": granted, "retry": retry.count, "unknown": unknown.count,
            "repair": repair.count, "adopted": adopted.count, "departed": departed.count, "resting": resting.count,
        ]
    }
}
