import Foundation
import GrantLedger
import Logging
import NylasAPI
import NylasSandbox
import Testing

/// Leavers: reported every run, revoked with `--revoke-departed`, under the safeguard.
@Suite("leavers and the safeguard", .serialized)
struct RevocationTests {
    /// A ledger with `count` users granted by one run.
    static func grantedLedger(_ dir: String, _ server: SandboxServer, count: Int) async throws -> (ledger: String, users: [String]) {
        let users = addresses(0..<count)
        let input = try writeExport(dir, users, name: "all.csv")
        let ledger = dir + "/ledger.sqlite"
        let result = try await runBinary(runArguments(input, ledger: ledger, server: server), in: dir)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return (ledger, users)
    }

    @Test("a user a kill left revoking is revoked by the next run; a 404 on delete counts as revoked; a revoking user back in the export is looked up, not re-created")
    func resumesRevoking() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let (ledger, users) = try await Self.grantedLedger(dir, server, count: 50)

        // As a kill between the `revoking` commit and the DELETE (user0), or after the DELETE
        // was applied but before `revoked` was recorded (user1), or during a revocation of
        // someone who is then back in the export (user5), would leave them.
        let records = try await ledgerRecords(ledger)
        try await withLedger(ledger) { ledger in
            try await ledger.apply(
                ["user0@acme.example", "user1@acme.example", "user5@acme.example"].map {
                    UserUpdate(userID: records[$0]!.id!, state: .revoking)
                })
        }
        var configuration = NylasClientConfiguration(endpoint: try APIEndpoint(server.baseURI), apiKey: APIKey(sandboxKey))
        configuration.maxConnections = 1
        let client = NylasClient(configuration: configuration, logger: quietLogger)
        try await client.deleteGrant(id: records["user1@acme.example"]!.grantID!)
        try await client.shutdown()

        let input = try writeExport(dir, Array(users.dropFirst(2)), name: "tonight.csv")
        let before = await server.state.stats()
        let result = try await runBinary(
            runArguments(input, ledger: ledger, server: server, ["--revoke-departed", "--json"]), in: dir)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let after = await server.state.stats()
        #expect(after.count("DELETE", "/v3/grants/{grantId}", status: 200) - before.count("DELETE", "/v3/grants/{grantId}", status: 200) == 1)
        #expect(after.count("DELETE", "/v3/grants/{grantId}", status: 404) - before.count("DELETE", "/v3/grants/{grantId}", status: 404) == 1)
        #expect(after.count("POST", "/v3/connect/custom") == before.count("POST", "/v3/connect/custom"))
        // user5 is looked up by email, found, and granted again without a POST.
        #expect(after.count("GET", "/v3/grants") - before.count("GET", "/v3/grants") == 1)
        let report = try jsonObject(result.stdout)
        #expect(report["revoked"] as? Int == 2)
        #expect(report["revoked_already_gone"] as? Int == 1)
        #expect(report["found_by_lookup"] as? Int == 1)
        let final = try await ledgerRecords(ledger)
        #expect(final["user0@acme.example"]?.state == .revoked)
        #expect(final["user1@acme.example"]?.state == .revoked)
        #expect(final["user5@acme.example"]?.state == .granted)
        // The audit says what happened to user1.
        let audit = try Ledger.openReadOnly(path: ledger, logger: quietLogger)
        let attempts = try await audit.attempts(userID: final["user1@acme.example"]!.id!)
        try audit.close()
        #expect(attempts.last?.call == "DELETE /v3/grants/{grantId}")
        #expect(attempts.last?.outcome == "not_found")
        #expect(attempts.last?.status == 404)
    }

    @Test("12 leavers of 100: reported without the flag; refused over --max-revoke (count or %) with exit 3 and no call; revoked with a limit that allows it, or --force")
    func maxRevoke() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let (ledger, users) = try await Self.grantedLedger(dir, server, count: 100)
        let input = try writeExport(dir, Array(users.dropFirst(12)), name: "tonight.csv")

        let reported = try await runBinary(runArguments(input, ledger: ledger, server: server, ["--json"]), in: dir)
        #expect(reported.status == 0)
        let summary = try jsonObject(reported.stdout)
        #expect(summary["departed"] as? Int == 12)
        #expect(summary["departed_action"] as? String == "reported")
        #expect((summary["departed_sample"] as? [String])?.first == "user0@acme.example")

        let before = await server.state.stats()
        for limit in [[], ["--max-revoke", "11"], ["--max-revoke", "11.5%"]] {
            let refused = try await runBinary(
                runArguments(input, ledger: ledger, server: server, ["--revoke-departed"] + limit), in: dir)
            #expect(refused.status == 3, "\(limit): \(refused.stdout)")
            #expect(refused.stderr.contains("12 departed users"), "\(refused.stderr)")
            #expect(refused.stderr.contains("--max-revoke \(limit.last ?? "10%")"))
            #expect(refused.stderr.contains("--force"))
        }
        #expect(await server.state.stats().calls == before.calls, "a refused run made a call")
        #expect(try await ledgerRecords(ledger).values.allSatisfy { $0.state == .granted })

        let allowed = try await runBinary(
            runArguments(input, ledger: ledger, server: server, ["--revoke-departed", "--max-revoke", "12", "--dry-run", "--json"]),
            in: dir)
        #expect(allowed.status == 0)
        #expect(try jsonObject(allowed.stdout)["deletions"] as? Int == 12)

        let forced = try await runBinary(
            runArguments(input, ledger: ledger, server: server, ["--revoke-departed", "--force", "--json"]), in: dir)
        #expect(forced.status == 0, "stderr: \(forced.stderr)")
        #expect(try jsonObject(forced.stdout)["revoked"] as? Int == 12)
        #expect(await server.state.stats().deletionsByEmail.count == 12)
    }

    @Test("an export under 80% of the last run's is refused even within --max-revoke, and a refused run does not become the baseline")
    func shrink() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let (ledger, users) = try await Self.grantedLedger(dir, server, count: 100)
        let input = try writeExport(dir, Array(users.prefix(70)), name: "short.csv")

        // Without --revoke-departed the run goes on, with a warning.
        let plain = try await runBinary(runArguments(input, ledger: ledger, server: server), in: dir)
        #expect(plain.status == 0)
        #expect(plain.stderr.contains("fewer than 80% of the previous run's 100"), "\(plain.stderr)")
        // That run's export (70) now is the last one: put the full export back once.
        let full = try writeExport(dir, users, name: "full.csv")
        #expect(try await runBinary(runArguments(full, ledger: ledger, server: server), in: dir).status == 0)

        for _ in 0..<2 {
            let refused = try await runBinary(
                runArguments(input, ledger: ledger, server: server, ["--revoke-departed", "--max-revoke", "100%"]), in: dir)
            #expect(refused.status == 3)
            #expect(refused.stderr.contains("the export has 70 users"), "\(refused.stderr)")
            #expect(refused.stderr.contains("previous run's 100"))
        }
        #expect(await server.state.stats().deletionsByEmail.isEmpty)
        let forced = try await runBinary(
            runArguments(input, ledger: ledger, server: server, ["--revoke-departed", "--max-revoke", "100%", "--force"]),
            in: dir)
        #expect(forced.status == 0, "stderr: \(forced.stderr)")
        #expect(await server.state.stats().deletionsByEmail.count == 30)
    }

    @Test("with --domain, users of other domains are not departed, never revoked, and not counted in the --max-revoke base")
    func domainScoped() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let everyone = addresses(0..<20) + addresses(0..<20, domain: "other.example")
        let input = try writeExport(dir, everyone)
        let ledger = dir + "/ledger.sqlite"
        #expect(try await runBinary(runArguments(input, ledger: ledger, server: server), in: dir).status == 0)
        let scoped = try await runBinary(
            runArguments(input, ledger: ledger, server: server, ["--domain", "acme.example", "--revoke-departed", "--json"]),
            in: dir)
        #expect(scoped.status == 0, "stderr: \(scoped.stderr)")
        #expect(try jsonObject(scoped.stdout)["departed"] as? Int == 0)
        #expect(await server.state.stats().deletionsByEmail.isEmpty)

        // 3 leavers of the domain's 20: over 10% of the domain's granted users (not of all 40).
        let fewer = try writeExport(dir, addresses(3..<20) + addresses(0..<20, domain: "other.example"), name: "fewer.csv")
        let refused = try await runBinary(
            runArguments(fewer, ledger: ledger, server: server, ["--domain", "acme.example", "--revoke-departed"]), in: dir)
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("3 departed users") && refused.stderr.contains("of 20 granted users"), "\(refused.stderr)")
        #expect(await server.state.stats().deletionsByEmail.isEmpty)
    }

    @Test("usage errors: --force without --revoke-departed, a bad --max-revoke", arguments: [
        ["--force"], ["--revoke-departed", "--max-revoke", "lots"], ["--revoke-departed", "--max-revoke", "150%"],
    ])
    func usage(_ extra: [String]) async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeExport(dir, addresses(0..<3))
        let result = try await runBinary(
            [
                "run", input, "--provider", "google", "--credential-id", "c", "--scope", "s", "--api-uri",
                "http://127.0.0.1:9",
            ] + extra, in: dir)
        #expect(result.status == 2, "\(extra): \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/bulkgrant.sqlite"))
    }
}
