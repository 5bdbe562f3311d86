import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import Testing

/// Writes a CSV export with `Email,Status,Department` columns.
@discardableResult
private func writeRows(_ directory: String, _ rows: [(email: String, status: String, department: String)],
                       name: String = "export.csv") throws -> String {
    var lines = ["Full Name,Email,Status,Department"]
    for (index, row) in rows.enumerated() {
        lines.append("\"Person, \(index)\",\(row.email),\(row.status),\(row.department)")
    }
    let path = directory + "/" + name
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Every call the sandbox answered.
private func totalCalls(_ stats: SandboxStats) -> Int { stats.calls.reduce(0) { $0 + $1.count } }

/// `reason: count` pairs of a report's `filtered_reasons`.
private func filteredReasons(_ report: [String: Any]) -> [String: Int] {
    var result: [String: Int] = [:]
    for entry in report["filtered_reasons"] as? [[String: Any]] ?? [] {
        if let reason = entry["reason"] as? String, let count = entry["count"] as? Int { result[reason] = count }
    }
    return result
}

/// Issue 8's row filters, end to end: the built binary against a sandbox.
@Suite("row filters (--where, --exclude)", .serialized)
struct FilterTests {
    @Test(
        "three users turned Terminated between two nights are revoked by --where Status=Active --revoke-departed: 3 deletions, no new grant, counted as filtered and revoked"
    )
    func terminatedAreRevoked() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let ledger = dir + "/ledger.sqlite"
        let users = addresses(0..<40)

        // Night 1: everyone Active.
        let night1 = try writeRows(dir, users.map { ($0, "Active", "Sales") }, name: "night1.csv")
        let first = try await runBinary(
            runArguments(night1, ledger: ledger, server: server, ["--where", "Status=Active", "--json"]), in: dir)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let firstReport = try jsonObject(first.stdout)
        #expect(firstReport["granted"] as? Int == 40)
        #expect(firstReport["filtered"] as? Int == 0)
        #expect(filteredReasons(firstReport) == ["not Status=Active": 0])
        #expect(await server.state.stats().creationsByEmail.count == 40)

        // Night 2: the same file, three people now Terminated (spelt as HR spells it).
        let leavers = [users[5], users[17], users[33]]
        let night2 = try writeRows(
            dir, users.map { ($0, leavers.contains($0) ? "Terminated" : "Active", "Sales") }, name: "night2.csv")
        let nightly = ["--where", "status=ACTIVE", "--revoke-departed", "--max-revoke", "3"]

        // The rehearsal shows the filtered users and the three deletions, and changes nothing.
        let beforeDry = await server.state.stats()
        let dry = try await runBinary(runArguments(night2, ledger: ledger, server: server, ["--dry-run"] + nightly), in: dir)
        #expect(dry.status == 0, "stderr: \(dry.stderr)")
        #expect(dry.stdout.contains("3 filtered out (not status=ACTIVE: 3)"), "\(dry.stdout)")
        #expect(dry.stdout.contains("Would send: 0 custom authentications, 3 grant deletions."), "\(dry.stdout)")
        let dryJSON = try await runBinary(
            runArguments(night2, ledger: ledger, server: server, ["--dry-run", "--json"] + nightly), in: dir)
        let plan = try jsonObject(dryJSON.stdout)
        #expect(plan["filtered"] as? Int == 3)
        #expect(filteredReasons(plan) == ["not status=ACTIVE": 3])
        #expect(plan["deletions"] as? Int == 3)
        #expect(delta(mutatingCalls(await server.state.stats()), mutatingCalls(beforeDry)).isEmpty)

        // The night itself.
        let before = await server.state.stats()
        let second = try await runBinary(runArguments(night2, ledger: ledger, server: server, nightly + ["--json"]), in: dir)
        #expect(second.status == 0, "stderr: \(second.stderr)\n\(second.stdout)")
        let after = await server.state.stats()
        #expect(delta(mutatingCalls(after), mutatingCalls(before)) == ["DELETE /v3/grants/{grantId}": 3])
        #expect(Set(after.deletionsByEmail.keys) == Set(leavers))
        #expect(after.creationsByEmail.count == 40 && after.grants == 37)
        let report = try jsonObject(second.stdout)
        #expect(report["filtered"] as? Int == 3)
        #expect(filteredReasons(report) == ["not status=ACTIVE": 3])
        #expect(report["departed"] as? Int == 3)
        #expect(report["revoked"] as? Int == 3)
        #expect(report["departed_action"] as? String == "revoked")
        #expect(report["skipped"] as? Int == 37)
        #expect(report["granted"] as? Int == 0)
        // Filtered users count in the export's size, so three leavers do not look like a shrunk file.
        #expect(report["export_users"] as? Int == 40)
        let records = try await ledgerRecords(ledger)
        #expect(leavers.allSatisfy { records[$0]?.state == .revoked })
        #expect(records.values.filter { $0.state == .granted }.count == 37)

        // Night 3, same file, text summary: the filtered line by reason; nothing left to do.
        let third = try await runBinary(runArguments(night2, ledger: ledger, server: server, nightly), in: dir)
        #expect(third.status == 0, "stderr: \(third.stderr)")
        #expect(third.stdout.contains("filtered out         3   not status=ACTIVE: 3"), "\(third.stdout)")
        #expect(delta(mutatingCalls(await server.state.stats()), mutatingCalls(after)).isEmpty)
    }

    @Test("a filter added on a later night is not taken for a truncated export: the shrink check counts filtered users")
    func newFilterIsNoShrink() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let ledger = dir + "/ledger.sqlite"
        // Ten users, three of them contractors; night 1 grants all, night 2 starts excluding
        // contractors (7 of 10 left: under 80% if filtered users did not count).
        let rows = addresses(0..<10).enumerated().map { ($1, "Active", $0 < 3 ? "Contractors" : "Sales") }
        let path = try writeRows(dir, rows)
        let first = try await runBinary(runArguments(path, ledger: ledger, server: server), in: dir)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        let second = try await runBinary(
            runArguments(
                path, ledger: ledger, server: server,
                ["--exclude", "Department=Contractors", "--revoke-departed", "--max-revoke", "3", "--json"]), in: dir)
        #expect(second.status == 0, "stderr: \(second.stderr)")
        let report = try jsonObject(second.stdout)
        #expect(report["revoked"] as? Int == 3)
        let safeguard = try #require(report["safeguard"] as? [String: Any])
        #expect(safeguard["shrunk"] as? Bool == false)
        #expect(safeguard["export_users"] as? Int == 10)
        // --max-revoke still guards: a filter that drops the seven Sales users is refused.
        let before = await server.state.stats()
        let refused = try await runBinary(
            runArguments(
                path, ledger: ledger, server: server,
                ["--exclude", "Department=Sales", "--revoke-departed", "--max-revoke", "3"]), in: dir)
        #expect(refused.status == 3, "\(refused.stdout)\n\(refused.stderr)")
        #expect(refused.stderr.contains("7 departed users"), "\(refused.stderr)")
        #expect(refused.stderr.contains("more than --max-revoke 3 allows"), "\(refused.stderr)")
        #expect(delta(mutatingCalls(await server.state.stats()), mutatingCalls(before)).isEmpty)
    }

    @Test("comma lists, case-insensitive names and values, several --where, --exclude winning, and an address with one excluded row kept out")
    func rules() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let rows: [(email: String, status: String, department: String)] = [
            ("ada@acme.example", "Active", "Engineering"),       // kept
            ("bob@acme.example", "on LEAVE", "Sales"),           // kept: the list, any case
            ("cy@acme.example", "Terminated", "Sales"),          // not Active or On leave
            ("di@acme.example", "Active", "Marketing"),          // not in Engineering or Sales
            ("ed@acme.example", "Active", "contractors"),        // excluded, though it fails --where too
            ("fay@acme.example", "Active", "Sales"),             // kept here, but…
            ("FAY@acme.example", "Terminated", "Sales"),         // …this row keeps her out
            ("gus@acme.example", " active ", "engineering"),     // kept: trimmed
        ]
        let path = try writeRows(dir, rows)
        let filters = [
            "--where", "STATUS=Active,On leave", "--where", "department=Engineering,Sales,Contractors",
            "--exclude", "Department=Contractors",
        ]
        let result = try await runBinary(
            runArguments(path, ledger: dir + "/ledger.sqlite", server: server, filters + ["--json"]), in: dir)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let stats = await server.state.stats()
        #expect(Set(stats.creationsByEmail.keys) == ["ada@acme.example", "bob@acme.example", "gus@acme.example"])
        let report = try jsonObject(result.stdout)
        #expect(
            filteredReasons(report) == [
                "not STATUS=Active,On leave": 2, "not department=Engineering,Sales,Contractors": 1,
                "Department=Contractors": 1,
            ])
        #expect(report["filtered"] as? Int == 4)
        #expect(report["duplicates"] as? Int == 1)
        #expect(report["rejected_rows"] as? Int == 0)
        let records = try await ledgerRecords(dir + "/ledger.sqlite")
        #expect(records["fay@acme.example"] == nil)
    }

    @Test("a filter on a column the file lacks exits 2 before any call, listing the columns it has")
    func unknownColumn() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let path = try writeRows(dir, addresses(0..<5).map { ($0, "Active", "Sales") })
        for dryRun in [false, true] {
            let result = try await runBinary(
                runArguments(path, ledger: dir + "/ledger.sqlite", server: server,
                             ["--where", "Stauts=Active"] + (dryRun ? ["--dry-run"] : [])), in: dir)
            #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stderr.contains(#"names the column "Stauts", which the header does not have"#), "\(result.stderr)")
            #expect(result.stderr.contains("columns: Full Name, Email, Status, Department"), "\(result.stderr)")
        }
        #expect(totalCalls(await server.state.stats()) == 0)
    }

    @Test("filters on a plain list of addresses exit 2 saying they need a CSV with a header")
    func plainList() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let path = dir + "/users.txt"
        try "ada@acme.example\nbob@acme.example\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await runBinary(
            runArguments(path, ledger: dir + "/ledger.sqlite", server: server, ["--exclude", "Status=Terminated"]), in: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--exclude Status=Terminated needs a CSV with a header row"), "\(result.stderr)")
        #expect(totalCalls(await server.state.stats()) == 0)
    }

    @Test(
        "malformed filters are usage errors (exit 2) with an example",
        arguments: [
            (["--where", "Status"], "expected COLUMN=VALUE"),
            (["--where", "=x"], "the column name before '=' is missing"),
            (["--where", "Status="], "the value after '=' is missing"),
            (["--exclude", "Status=Terminated,,Retired"], "empty value"),
        ])
    func syntax(arguments: [String], problem: String) async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try writeRows(dir, [("ada@acme.example", "Active", "Sales")])
        let result = try await runBinary(
            ["run", path, "--provider", "google", "--credential-id", "c", "--scope", "s", "--ledger", dir + "/l.sqlite",
             "--api-uri", "http://127.0.0.1:9"] + arguments, in: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains(problem), "\(result.stderr)")
        let flag = arguments[0]
        #expect(result.stderr.contains("e.g. \(flag) Status="), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/l.sqlite"), "a usage error opened the ledger")
    }

    @Test("the README's numbers for examples/hr-export.csv --exclude Status=Terminated hold")
    func example() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let export = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/hr-export.csv").path
        let result = try await runBinary(
            ["run", export, "--provider", "google", "--scope", "https://www.googleapis.com/auth/calendar", "--sandbox",
             "--ledger", dir + "/l.sqlite", "--exclude", "Status=Terminated", "--dry-run", "--json"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let plan = try jsonObject(result.stdout)
        #expect(filteredReasons(plan) == ["Status=Terminated": 49])
        #expect((plan["planned"] as? [String: Int])?["new"] == 247)
        #expect(plan["export_users"] as? Int == 295)
    }

    @Test("filters that drop every user exit 2 and revoke nothing")
    func everythingFiltered() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let ledger = dir + "/ledger.sqlite"
        let path = try writeRows(dir, addresses(0..<5).map { ($0, "Active", "Sales") })
        #expect(try await runBinary(runArguments(path, ledger: ledger, server: server), in: dir).status == 0)
        let before = await server.state.stats()
        let result = try await runBinary(
            runArguments(path, ledger: ledger, server: server, ["--where", "Status=Actve", "--revoke-departed", "--force"]),
            in: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains("the row filters dropped every user (not Status=Actve: 5)"), "\(result.stderr)")
        #expect(delta(mutatingCalls(await server.state.stats()), mutatingCalls(before)).isEmpty)
    }
}
