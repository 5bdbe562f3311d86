import Foundation
import GrantLedger
import NylasSandbox
import Testing

/// `bulkgrant status` and `bulkgrant report`, read-only, from a ledger three nights old.
@Suite("status and report", .serialized)
struct StatusReportTests {
    /// 26 users granted and 4 contractors failed in each of three runs (`--retry-resting`: they
    /// would otherwise sit the third run out).
    static func threeNights(_ dir: String, _ server: SandboxServer) async throws -> (ledger: String, input: String) {
        let input = try writeExport(dir, addresses(0..<26) + addresses(0..<4, domain: "contractors.example"))
        let ledger = dir + "/ledger.sqlite"
        for _ in 0..<3 {
            let result = try await runBinary(
                runArguments(input, ledger: ledger, server: server) + ["--retry-resting"], in: dir)
            #expect(result.status == 1, "stderr: \(result.stderr)")
        }
        return (ledger, input)
    }

    @Test("status: counts per state, the last runs, failure reasons with an example, users failing in 3 runs; works while a run holds the ledger")
    func status() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox(rejected: ["contractors.example"])
        defer { Task { await server.stop() } }
        let (ledger, _) = try await Self.threeNights(dir, server)

        let (json, text) = try await withLedger(ledger) { _ in
            // The lock is held, as by a run in progress.
            (
                try await runBinary(["status", "--ledger", ledger, "--json"], in: dir),
                try await runBinary(["status", "--ledger", ledger], in: dir)
            )
        }
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let status = try jsonObject(json.stdout)
        let users = try #require(status["users"] as? [String: [String: Int]])
        #expect(users["google"] == ["granted": 26, "failed": 4])
        let runs = try #require(status["runs"] as? [[String: Any]])
        #expect(runs.count == 3)
        #expect(runs.map { $0["id"] as? Int } == [3, 2, 1])
        #expect(runs.allSatisfy { $0["outcome"] as? String == "incomplete" && $0["exit_code"] as? Int == 1 })
        #expect(runs.allSatisfy { $0["duration_s"] is Double && $0["export_users"] as? Int == 30 })
        #expect((runs.last?["counts"] as? [String: Int])?["new"] == 30)
        #expect((runs.first?["counts"] as? [String: Int])?["retry"] == 4)
        let reasons = try #require(status["failure_reasons"] as? [[String: Any]])
        #expect(reasons.count == 1)
        #expect(reasons.first?["count"] as? Int == 4)
        #expect(reasons.first?["example"] as? String == "user0@contractors.example")
        #expect(reasons.first?["cause"] as? String == "google.user_not_found")
        #expect((reasons.first?["fix"] as? String)?.contains("Directory") == true)
        let repeats = try #require(status["repeat_failures"] as? [[String: Any]])
        #expect(Set(repeats.compactMap { $0["email"] as? String }) == Set(addresses(0..<4, domain: "contractors.example")))
        #expect(repeats.allSatisfy { $0["runs"] as? Int == 3 && $0["state"] as? String == "failed" })

        #expect(text.status == 0)
        #expect(text.stdout.contains("26 granted · 4 failed"), "\(text.stdout)")
        #expect(text.stdout.contains("4 × google.user_not_found"))
        #expect(text.stdout.contains("(e.g. user0@contractors.example)"))
        #expect(text.stdout.contains("Users failing in 3 or more runs:\n  user0@contractors.example"))

        let missing = try await runBinary(["status", "--ledger", dir + "/nope.sqlite"], in: dir)
        #expect(missing.status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir + "/nope.sqlite"))
    }

    @Test("report --state failed: a 0600 CSV that run reads straight back; JSON; every user")
    func report() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox(rejected: ["contractors.example"])
        defer { Task { await server.stop() } }
        let (ledger, _) = try await Self.threeNights(dir, server)
        let ledgerBytes = try fileBytes(ledger)

        let failedPath = dir + "/failed.csv"
        let written = try await runBinary(
            ["report", "--ledger", ledger, "--state", "failed", "--output", failedPath], in: dir)
        #expect(written.status == 0, "stderr: \(written.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: failedPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let csv = try String(contentsOfFile: failedPath, encoding: .utf8)
        let lines = csv.split(separator: "\r\n")
        #expect(lines.count == 5)
        #expect(lines[0] == "email,provider,state,grant_id,attempts,last_status,last_error_type,last_error_message,last_request_id,updated_at,organisation,cause")
        #expect(lines[1].hasPrefix("user0@contractors.example,google,failed,,3,400,api.provider_error,"))
        #expect(lines[1].hasSuffix(",google.user_not_found"))
        #expect(try fileBytes(ledger) == ledgerBytes, "report wrote the ledger")

        // Fed straight back to run once the contractors are allowed; having failed for the same
        // reason three runs in a row they rest, so the admin who fixed it says --retry-resting.
        await server.state.setRejectedDomains([])
        let before = await server.state.stats()
        let rerun = try await runBinary(
            runArguments(failedPath, ledger: ledger, server: server, ["--json", "--retry-resting"]), in: dir)
        #expect(rerun.status == 0, "stderr: \(rerun.stderr)")
        #expect(await server.state.stats().count("POST", "/v3/connect/custom") - before.count("POST", "/v3/connect/custom") == 4)
        #expect(try jsonObject(rerun.stdout)["granted"] as? Int == 4)

        let all = try await runBinary(["report", "--ledger", ledger, "--format", "json"], in: dir)
        #expect(all.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 30)
        #expect(rows.allSatisfy { $0["state"] as? String == "granted" && $0["grant_id"] is String })
        #expect(rows.first?["email"] as? String == "user0@acme.example")

        let none = try await runBinary(["report", "--ledger", ledger, "--state", "revoked", "--format", "json"], in: dir)
        #expect(none.stdout == "[]\n")
        let bad = try await runBinary(["report", "--ledger", ledger, "--state", "gone"], in: dir)
        #expect(bad.status == 2)
    }
}
