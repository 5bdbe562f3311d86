import Foundation
@testable import GrantLedger
import NylasAPI
import Provisioning
import Testing

@Suite("plan classes, adoption and repair")
struct PlanTests {
    static func users(_ entries: [(String, UserState)]) -> [String: UserSnapshot] {
        var users: [String: UserSnapshot] = [:]
        for (index, (email, state)) in entries.enumerated() {
            users[email] = UserSnapshot(id: Int64(index + 1), state: state, organisation: "")
        }
        return users
    }

    @Test("every ledger state lands in the right class; half-revoked users absent from the export are revocations to finish, not new departures")
    func classes() {
        let ledger = Self.users([
            ("granted@x.io", .granted), ("failed@x.io", .failed), ("deferred@x.io", .deferred),
            ("pending@x.io", .pending), ("flight@x.io", .inFlight), ("revoked@x.io", .revoked),
            ("back@x.io", .revoking), ("gone@x.io", .granted), ("halfgone@x.io", .revoking),
            ("oldfail@x.io", .failed),
        ])
        let plan = Plan.make(
            emails: ["new@x.io", "granted@x.io", "failed@x.io", "deferred@x.io", "pending@x.io", "flight@x.io",
                     "revoked@x.io", "back@x.io"],
            ledger: ledger)
        #expect(plan.new == ["new@x.io"])
        #expect(plan.granted == 1)
        #expect(Set(plan.retry.map(\.email)) == ["failed@x.io", "deferred@x.io", "pending@x.io", "revoked@x.io"])
        // A revocation cut off by a kill, for someone back in the export: looked up first.
        #expect(Set(plan.unknown.map(\.email)) == ["flight@x.io", "back@x.io"])
        // Departed: granted and absent; a failed user who left is not. A revocation an
        // interrupted run left is finished, whatever tonight's flags, and counts as no departure.
        #expect(plan.departed == ["gone@x.io"])
        #expect(plan.departedUsers.map(\.id) == [ledger["gone@x.io"]!.id])
        #expect(plan.unfinishedRevocations.map(\.email) == ["halfgone@x.io"])
        #expect(plan.exportUsers == 8)
        #expect(plan.authentications == 5)
    }

    @Test("--domain keeps other domains' users out of departed")
    func domainFilter() {
        let ledger = Self.users([("a@acme.com", .granted), ("b@other.com", .granted), ("c@acme.com", .granted)])
        var plan = Plan.make(emails: ["a@acme.com"], ledger: ledger)
        #expect(plan.departed == ["b@other.com", "c@acme.com"])
        plan.keepDeparted(inDomains: ["ACME.com"])
        #expect(plan.departed == ["c@acme.com"])
        #expect(plan.departedUsers.map(\.email) == ["c@acme.com"])
    }

    @Test("adoption takes valid grants of the provider for export users only, from new, retry and unknown")
    func adoption() {
        let ledger = Self.users([("failed@x.io", .failed), ("flight@x.io", .inFlight), ("granted@x.io", .granted)])
        var plan = Plan.make(
            emails: ["new@x.io", "fresh@x.io", "failed@x.io", "flight@x.io", "granted@x.io", "bad@x.io"], ledger: ledger)
        plan.adopt(
            [
                Grant(id: "g-new", provider: "google", email: "New@X.io", credentialId: "c1"),
                Grant(id: "g-failed", provider: "google", email: "failed@x.io"),
                Grant(id: "g-flight", provider: "google", email: "flight@x.io"),
                Grant(id: "g-granted", provider: "google", email: "granted@x.io"),
                Grant(id: "g-bad", provider: "google", email: "bad@x.io", grantStatus: "invalid"),
                Grant(id: "g-ms", provider: "microsoft", email: "fresh@x.io"),
                Grant(id: "g-stranger", provider: "google", email: "stranger@x.io"),
            ], provider: .google)
        #expect(Set(plan.adopted.map(\.email)) == ["new@x.io", "failed@x.io", "flight@x.io"])
        #expect(plan.adopted.first { $0.email == "new@x.io" }?.userID == nil)
        #expect(plan.adopted.first { $0.email == "new@x.io" }?.credentialID == "c1")
        #expect(plan.adopted.first { $0.email == "failed@x.io" }?.userID == ledger["failed@x.io"]?.id)
        // An invalid grant and another provider's grant are left to custom authentication.
        #expect(plan.new == ["fresh@x.io", "bad@x.io"])
        #expect(plan.retry.isEmpty && plan.unknown.isEmpty)
        #expect(plan.granted == 1)
        #expect(plan.counts["adopted"] == 3)
    }

    @Test("repair moves granted export users with an invalid grant, and no one else")
    func repair() {
        let ledger = Self.users([
            ("a@x.io", .granted), ("b@x.io", .granted), ("c@x.io", .failed), ("left@x.io", .granted),
        ])
        var plan = Plan.make(emails: ["a@x.io", "b@x.io", "c@x.io", "new@x.io"], ledger: ledger)
        #expect(plan.granted == 2)
        plan.repair(
            invalid: ["a@x.io", "c@x.io", "left@x.io", "new@x.io", "stranger@x.io"], ledger: ledger,
            export: ["a@x.io", "b@x.io", "c@x.io", "new@x.io"])
        #expect(plan.repair.map(\.email) == ["a@x.io"])
        #expect(plan.granted == 1)
        #expect(plan.grantedSample == ["b@x.io"])
        #expect(plan.retry.map(\.email) == ["c@x.io"])
        #expect(plan.new == ["new@x.io"])
        #expect(plan.departed == ["left@x.io"])
        #expect(plan.authentications == 3)
    }
}

@Suite("--max-revoke and the safeguard")
struct SafeguardTests {
    @Test(
        "--max-revoke parses counts and percentages",
        arguments: [
            ("25", RevocationLimit.count(25)), ("0", .count(0)), ("5%", .percent(5)), ("2.5%", .percent(2.5)),
            (" 10 % ", .percent(10)), ("100%", .percent(100)),
        ])
    func parses(_ text: String, _ expected: RevocationLimit) {
        #expect(RevocationLimit(text) == expected)
    }

    @Test("--max-revoke rejects nonsense", arguments: ["", "-1", "abc", "101%", "-5%", "5%%", "1e3x", "nan%"])
    func rejects(_ text: String) {
        #expect(RevocationLimit(text) == nil)
    }

    @Test("the default is 10% of granted users; reaching the limit is allowed, passing it is refused")
    func percentLimit() {
        let within = Safeguard(
            revocations: 100, grantedUsers: 1000, exportUsers: 900, previousExportUsers: 1000, limit: .default,
            force: false)
        #expect(!within.refuses)
        let over = Safeguard(
            revocations: 101, grantedUsers: 1000, exportUsers: 899, previousExportUsers: 1000, limit: .default,
            force: false)
        #expect(over.refuses && over.overLimit && !over.shrunk)
        let message = over.refusal ?? ""
        #expect(message.contains("101 departed users"))
        #expect(message.contains("--max-revoke 10%"))
        #expect(message.contains("--force"))
    }

    @Test("an absolute count")
    func countLimit() {
        #expect(
            !Safeguard(
                revocations: 25, grantedUsers: 40, exportUsers: 40, previousExportUsers: nil, limit: .count(25),
                force: false
            ).refuses)
        #expect(
            Safeguard(
                revocations: 26, grantedUsers: 10_000, exportUsers: 10_000, previousExportUsers: nil, limit: .count(25),
                force: false
            ).refuses)
    }

    @Test("an export under 80% of the previous run's is refused even within --max-revoke; --force overrides both")
    func shrink() {
        let shrunk = Safeguard(
            revocations: 5, grantedUsers: 1000, exportUsers: 799, previousExportUsers: 1000, limit: .percent(100),
            force: false)
        #expect(shrunk.refuses && shrunk.shrunk && !shrunk.overLimit)
        #expect(shrunk.refusal?.contains("799 users") == true)
        #expect(shrunk.refusal?.contains("previous run's 1000") == true)
        let exactly80 = Safeguard(
            revocations: 5, grantedUsers: 1000, exportUsers: 800, previousExportUsers: 1000, limit: .percent(100),
            force: false)
        #expect(!exactly80.refuses)
        let forced = Safeguard(
            revocations: 600, grantedUsers: 1000, exportUsers: 400, previousExportUsers: 1000, limit: .default,
            force: true)
        #expect(!forced.refuses && forced.overLimit && forced.shrunk && forced.refusal == nil)
    }

    @Test("nothing to revoke: nothing to refuse, whatever the export's size")
    func nothingToRevoke() {
        let verdict = Safeguard(
            revocations: 0, grantedUsers: 1000, exportUsers: 10, previousExportUsers: 1000, limit: .count(0),
            force: false)
        #expect(!verdict.refuses)
    }
}
