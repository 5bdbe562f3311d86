import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import Testing

/// Issue 4's acceptance: two nights of the built binary against a sandbox.
@Suite("two nights in cron", .serialized)
struct TwoNightTests {
    @Test(
        "night 2 with 30 hires, 10 leavers and 5 invalid grants: exactly 35 authentications and 10 deletions; the dry run shows the same and leaves the ledger byte-identical; a 40% export is refused"
    )
    func twoNights() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let ledger = dir + "/ledger.sqlite"

        // Night 1: 1,000 users.
        let night1Users = addresses(0..<1000)
        let night1 = try writeExport(dir, night1Users, name: "night1.csv")
        let first = try await runBinary(runArguments(night1, ledger: ledger, server: server, ["--json"]), in: dir)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let afterNight1 = await server.state.stats()
        #expect(afterNight1.creationsByEmail.count == 1000)
        #expect(try await ledgerRecords(ledger).values.filter { $0.state == .granted }.count == 1000)

        // Between the nights: 10 people leave, 30 are hired, 5 grants turn invalid.
        let leavers = addresses(0..<10)
        let hires = addresses(1000..<1030)
        let invalid = addresses(500..<505)
        #expect(await server.state.invalidate(emails: invalid) == 5)
        let night2Users = Array(night1Users.dropFirst(10)) + hires
        let night2 = try writeExport(dir, night2Users, name: "night2.csv")
        let nightly = ["--repair-invalid", "--revoke-departed", "--json"]

        // The dry run: the plan, no mutating call, the ledger file unchanged to the byte.
        let ledgerBefore = try fileBytes(ledger)
        let beforeDry = await server.state.stats()
        let dry = try await runBinary(runArguments(night2, ledger: ledger, server: server, ["--dry-run"] + nightly), in: dir)
        #expect(dry.status == 0, "stderr: \(dry.stderr)")
        let afterDry = await server.state.stats()
        #expect(delta(mutatingCalls(afterDry), mutatingCalls(beforeDry)).isEmpty, "the dry run mutated")
        #expect(try fileBytes(ledger) == ledgerBefore, "the dry run changed the ledger file")
        let plan = try jsonObject(dry.stdout)
        let planned = try #require(plan["planned"] as? [String: Int])
        #expect(planned["new"] == 30)
        #expect(planned["repair"] == 5)
        #expect(planned["departed"] == 10)
        #expect(planned["granted"] == 985)
        #expect(plan["authentications"] as? Int == 35)
        #expect(plan["deletions"] as? Int == 10)
        let groups = try #require(plan["plan"] as? [String: [String: Any]])
        #expect((groups["departed"]?["sample"] as? [String])?.first == leavers[0])
        #expect(Set(groups["repair"]?["sample"] as? [String] ?? []) == Set(invalid))
        // The text plan says the same.
        let dryText = try await runBinary(
            runArguments(night2, ledger: ledger, server: server, ["--dry-run", "--repair-invalid", "--revoke-departed"]),
            in: dir)
        #expect(dryText.status == 0)
        #expect(dryText.stdout.contains("Would send: 35 custom authentications, 10 grant deletions."), "\(dryText.stdout)")
        #expect(try fileBytes(ledger) == ledgerBefore)

        // Night 2 itself.
        let beforeNight2 = await server.state.stats()
        let second = try await runBinary(runArguments(night2, ledger: ledger, server: server, nightly), in: dir)
        #expect(second.status == 0, "stderr: \(second.stderr)\n\(second.stdout)")
        let afterNight2 = await server.state.stats()
        #expect(
            delta(mutatingCalls(afterNight2), mutatingCalls(beforeNight2))
                == ["POST /v3/connect/custom": 35, "DELETE /v3/grants/{grantId}": 10])
        #expect(afterNight2.creationsByEmail.count - beforeNight2.creationsByEmail.count == 30)
        #expect(Set(afterNight2.reauthsByEmail.keys) == Set(invalid))
        #expect(Set(afterNight2.deletionsByEmail.keys) == Set(leavers))
        // One page of invalid grants, not one call per user.
        #expect(afterNight2.count("GET", "/v3/grants") - beforeNight2.count("GET", "/v3/grants") == 1)
        let report = try jsonObject(second.stdout)
        #expect((report["planned"] as? [String: Int]) == planned, "the dry run's numbers differ from the run's")
        #expect(report["granted"] as? Int == 35)
        #expect(report["revoked"] as? Int == 10)
        #expect(report["repaired"] as? Int == 5)
        #expect(report["departed_action"] as? String == "revoked")

        let records = try await ledgerRecords(ledger)
        #expect(records.values.filter { $0.state == .granted }.count == 1020)
        #expect(leavers.allSatisfy { records[$0]?.state == .revoked })
        #expect(hires.allSatisfy { records[$0]?.state == .granted && records[$0]?.grantID != nil })
        let grants = await server.state.allGrants()
        #expect(grants.allSatisfy { $0.isValid }, "a grant is still invalid")
        #expect(grants.count == 1020)

        // Night 3: the HR export arrives cut to 40%: refused, nothing deleted (nor created).
        let truncated = try writeExport(dir, Array(night2Users.prefix(408)), name: "truncated.csv")
        let beforeTruncated = await server.state.stats()
        let third = try await runBinary(
            runArguments(truncated, ledger: ledger, server: server, ["--revoke-departed"]), in: dir)
        #expect(third.status == 3)
        #expect(third.stderr.contains("612 departed users"), "\(third.stderr)")
        #expect(third.stderr.contains("--force"))
        let afterTruncated = await server.state.stats()
        #expect(delta(mutatingCalls(afterTruncated), mutatingCalls(beforeTruncated)).isEmpty)
        #expect(afterTruncated.grants == 1020)
        #expect(try await ledgerRecords(ledger).values.filter { $0.state == .granted }.count == 1020)
    }
}
