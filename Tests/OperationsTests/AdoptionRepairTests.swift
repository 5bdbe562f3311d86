import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import Testing

/// Adoption of existing grants and `--repair-invalid`: paged List Grants, never one call per user.
@Suite("adoption and repair", .serialized)
struct AdoptionRepairTests {
    @Test("a first run adopts the existing valid grants of its export in 2 list calls instead of 300 authentications")
    func adoptsOnEmptyLedger() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        var seeded: [String: String] = [:]
        for email in addresses(0..<300) { seeded[email] = await server.state.seedGrant(provider: .google, email: email).id }
        for email in addresses(300..<305) { await server.state.seedGrant(provider: .google, email: email, status: "invalid") }
        for email in addresses(305..<315) { await server.state.seedGrant(provider: .microsoft, email: email) }
        for email in addresses(0..<20, domain: "elsewhere.example") { await server.state.seedGrant(provider: .google, email: email) }
        let input = try writeExport(dir, addresses(0..<400))
        let ledger = dir + "/ledger.sqlite"

        // The dry run of a first run: no ledger is created, and the adoption is in the plan.
        let dry = try await runBinary(runArguments(input, ledger: ledger, server: server, ["--dry-run", "--json"]), in: dir)
        #expect(dry.status == 0, "stderr: \(dry.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ledger))
        let plan = try jsonObject(dry.stdout)
        #expect(plan["ledger_exists"] as? Bool == false)
        #expect((plan["planned"] as? [String: Int])?["adopted"] == 300)
        #expect((plan["planned"] as? [String: Int])?["new"] == 100)
        #expect(plan["authentications"] as? Int == 100)

        let before = await server.state.stats()
        let result = try await runBinary(runArguments(input, ledger: ledger, server: server, ["--json"]), in: dir)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let after = await server.state.stats()
        // 325 Google grants: pages of 200 and 125.
        #expect(after.count("GET", "/v3/grants") - before.count("GET", "/v3/grants") == 2)
        #expect(after.count("POST", "/v3/connect/custom") - before.count("POST", "/v3/connect/custom") == 100)
        // The invalid ones were re-authenticated, the rest (with no Google grant) created.
        #expect(Set(after.reauthsByEmail.keys) == Set(addresses(300..<305)))
        #expect(after.creationsByEmail.count == 95)
        let report = try jsonObject(result.stdout)
        #expect(report["adopted"] as? Int == 300)
        #expect(report["granted"] as? Int == 100)
        let records = try await ledgerRecords(ledger)
        #expect(records.count == 400)
        #expect(records.values.allSatisfy { $0.state == .granted })
        #expect(addresses(0..<300).allSatisfy { records[$0]?.grantID == seeded[$0] })
        #expect(records["user0@acme.example"]?.attempts == 0)

        // The second night lists nothing: the ledger is no longer empty.
        let again = try await runBinary(runArguments(input, ledger: ledger, server: server), in: dir)
        #expect(again.status == 0)
        #expect(await server.state.stats().calls == after.calls)
    }

    @Test("--adopt-existing on a ledger in use adopts grants made elsewhere for users that had failed")
    func adoptExisting() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox(rejected: ["contractors.example"])
        defer { Task { await server.stop() } }
        let contractors = addresses(0..<5, domain: "contractors.example")
        let input = try writeExport(dir, addresses(0..<20) + contractors)
        let ledger = dir + "/ledger.sqlite"
        let first = try await runBinary(runArguments(input, ledger: ledger, server: server), in: dir)
        #expect(first.status == 1)
        // An admin grants the contractors another way.
        for email in contractors { await server.state.seedGrant(provider: .google, email: email) }
        let before = await server.state.stats()
        let adopted = try await runBinary(
            runArguments(input, ledger: ledger, server: server, ["--adopt-existing", "--json"]), in: dir)
        #expect(adopted.status == 0, "stderr: \(adopted.stderr)")
        let after = await server.state.stats()
        #expect(after.count("POST", "/v3/connect/custom") == before.count("POST", "/v3/connect/custom"))
        #expect(after.count("GET", "/v3/grants") - before.count("GET", "/v3/grants") == 1)
        #expect(try jsonObject(adopted.stdout)["adopted"] as? Int == 5)
        let records = try await ledgerRecords(ledger)
        #expect(contractors.allSatisfy { records[$0]?.state == .granted && records[$0]?.lastErrorType == nil })
    }

    @Test("--repair-invalid finds 250 invalid grants in 2 list calls and re-authenticates exactly those users")
    func repairPages() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let users = addresses(0..<450)
        let input = try writeExport(dir, users)
        let ledger = dir + "/ledger.sqlite"
        #expect(try await runBinary(runArguments(input, ledger: ledger, server: server), in: dir).status == 0)
        let invalid = addresses(100..<350)
        #expect(await server.state.invalidate(emails: invalid) == 250)

        // Without the flag, invalid grants are not looked for: no call at all.
        let quiet = await server.state.stats()
        #expect(try await runBinary(runArguments(input, ledger: ledger, server: server), in: dir).status == 0)
        #expect(await server.state.stats().calls == quiet.calls)

        let repaired = try await runBinary(
            runArguments(input, ledger: ledger, server: server, ["--repair-invalid", "--json"]), in: dir)
        #expect(repaired.status == 0, "stderr: \(repaired.stderr)")
        let after = await server.state.stats()
        #expect(after.count("GET", "/v3/grants") - quiet.count("GET", "/v3/grants") == 2)
        #expect(after.count("POST", "/v3/connect/custom") - quiet.count("POST", "/v3/connect/custom") == 250)
        #expect(Set(after.reauthsByEmail.keys) == Set(invalid))
        #expect(after.creationsByEmail.count == 450)
        #expect(await server.state.allGrants().allSatisfy { $0.isValid })
        #expect(try jsonObject(repaired.stdout)["repaired"] as? Int == 250)
        #expect(try await ledgerRecords(ledger).values.allSatisfy { $0.state == .granted })
    }
}
