import Foundation
import GrantLedger
import NylasSandbox
import Testing

/// The ledger file and the safeguard as a nightly operator meets them: copies, backups, two
/// domains on one ledger, a failed.csv fed back, revocations a kill left, a job's sandbox trial.
@Suite("nightly correctness", .serialized)
struct NightlyCorrectnessTests {
    @Test("a plain cp of the ledger taken after a run holds everything: the WAL was checkpointed")
    func copyAfterRunIsComplete() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox(rejected: ["contractors.example"])
        defer { Task { await server.stop() } }
        let input = try writeExport(dir, addresses(0..<295) + addresses(0..<5, domain: "contractors.example"))
        let ledger = dir + "/ledger.sqlite"
        let run = try await runBinary(runArguments(input, ledger: ledger, server: server), in: dir)
        #expect(run.status == 1)
        let wal = (try? FileManager.default.attributesOfItem(atPath: ledger + "-wal")[.size] as? Int) ?? 0
        #expect(wal == 0, "the -wal file is emptied at the end of the run")

        try FileManager.default.createDirectory(atPath: dir + "/copy", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ledger, toPath: dir + "/copy/ledger.sqlite")
        let copied = try await ledgerRecords(dir + "/copy/ledger.sqlite")
        let original = try await ledgerRecords(ledger)
        #expect(copied.count == 300)
        #expect(copied == original)
        #expect(copied.values.filter { $0.state == .granted }.count == 295)
    }

    @Test("ledger backup taken while a run holds the ledger: one consistent snapshot that passes integrity_check")
    func backupDuringRun() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let received = AsyncStream<Void>.makeStream()
        let counter = Counter()
        var configuration = SandboxConfiguration()
        configuration.apiKey = sandboxKey
        configuration.seedCredentials = [.init(provider: .google, id: credentialID, name: "ops")]
        configuration.observer = { event in
            if case .received("POST", "/v3/connect/custom") = event, counter.increment() == 21 {
                received.continuation.yield()
            }
        }
        let server = try await SandboxServer.start(configuration, logger: quietLogger)
        defer { Task { await server.stop() } }
        // The 21st authentication is held in the server: the run is mid-way, holding the lock.
        await server.state.script(Array(repeating: .pass, count: 20) + [.slowApply(seconds: 10)], for: "/v3/connect/custom")
        let input = try writeExport(dir, addresses(0..<40))
        let ledger = dir + "/ledger.sqlite"
        let running = Task { try await runBinary(runArguments(input, ledger: ledger, server: server, ["--concurrency", "1"]), in: dir) }
        for await _ in received.stream { break }

        let backup = try await runBinary(["ledger", "backup", dir + "/backup.sqlite", "--ledger", ledger], in: dir)
        #expect(backup.status == 0, "\(backup.transcript)")
        #expect(backup.stdout.contains("integrity ok"))
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/backup.sqlite")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(!FileManager.default.fileExists(atPath: dir + "/backup.sqlite-wal"), "one self-contained file")
        let snapshot = try await ledgerRecords(dir + "/backup.sqlite")
        #expect(snapshot.values.filter { $0.state == .granted }.count == 20)
        #expect(snapshot.values.filter { $0.state == .inFlight }.count == 1, "taken mid-run")
        let copy = try Ledger.openReadOnly(path: dir + "/backup.sqlite", logger: quietLogger)
        #expect(try await copy.integrityCheck() == "ok")
        try copy.close()

        let again = try await runBinary(["ledger", "backup", dir + "/backup.sqlite", "--ledger", ledger], in: dir)
        #expect(again.status == 2 && again.stderr.contains("already exists"))
        #expect(try await running.value.status == 0)
    }

    @Test("two domains run from one ledger, night after night, with --revoke-departed: neither refuses the other")
    func twoDomainsOneLedger() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let input = try writeExport(dir, addresses(0..<18, domain: "dom-a.example") + addresses(0..<40, domain: "dom-b.example"))
        let ledger = dir + "/ledger.sqlite"
        for night in 0..<3 {
            for domain in ["dom-a.example", "dom-b.example"] {
                let run = try await runBinary(
                    runArguments(input, ledger: ledger, server: server, ["--domain", domain, "--revoke-departed", "--json"]),
                    in: dir)
                #expect(run.status == 0, "night \(night), \(domain): \(run.transcript)")
                #expect(try jsonObject(run.stdout)["departed"] as? Int == 0)
            }
        }
        // Each still guards its own: dom-b's export halved is refused.
        let truncated = try writeExport(
            dir, addresses(0..<18, domain: "dom-a.example") + addresses(0..<20, domain: "dom-b.example"), name: "short.csv")
        let refused = try await runBinary(
            runArguments(truncated, ledger: ledger, server: server, ["--domain", "dom-b.example", "--revoke-departed"]), in: dir)
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("20") && refused.stderr.contains("40"), "\(refused.stderr)")
    }

    @Test("a failed.csv round trip retries just those users: nobody revoked, the baseline unchanged, the report's ' taken off")
    func failedReportRoundTrip() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox(rejected: ["other.example"])
        defer { Task { await server.stop() } }
        let evil = "=cmd@other.example"
        let input = try writeExport(dir, addresses(0..<38) + addresses(0..<2, domain: "other.example") + [evil])
        let ledger = dir + "/ledger.sqlite"
        let nightly = ["--revoke-departed", "--json"]
        #expect(try await runBinary(runArguments(input, ledger: ledger, server: server, nightly), in: dir).status == 1)
        let written = try await runBinary(
            ["report", "--ledger", ledger, "--state", "failed", "--output", dir + "/failed.csv"], in: dir)
        #expect(written.status == 0)
        #expect(try String(contentsOfFile: dir + "/failed.csv", encoding: .utf8).contains("'=cmd@other.example"))

        await server.state.setRejectedDomains([])
        let before = await server.state.stats()
        let retry = try await runBinary(runArguments(dir + "/failed.csv", ledger: ledger, server: server, nightly), in: dir)
        #expect(retry.status == 0, "\(retry.transcript)")
        let report = try jsonObject(retry.stdout)
        #expect(report["retry_only"] as? Bool == true)
        #expect(report["departed"] as? Int == 0)
        #expect(report["granted"] as? Int == 3)
        let after = await server.state.stats()
        #expect(delta(mutatingCalls(after), mutatingCalls(before)) == ["POST /v3/connect/custom": 3], "no DELETE")
        #expect(after.creationsByEmail[evil] == 1 && after.creationsByEmail["'" + evil] == nil)
        let records = try await ledgerRecords(ledger)
        #expect(records.count == 41)
        #expect(records.values.allSatisfy { $0.state == .granted })

        // The next night's baseline is still the full export's 41: a truncated export is refused.
        let truncated = try writeExport(dir, addresses(0..<20), name: "truncated.csv")
        let refused = try await runBinary(runArguments(truncated, ledger: ledger, server: server, ["--revoke-departed"]), in: dir)
        #expect(refused.status == 3, "\(refused.transcript)")
        #expect(refused.stderr.contains("41"), "\(refused.stderr)")
    }

    @Test("revocations a kill left are finished by the next run, with or without --revoke-departed, and are no new departures")
    func unfinishedRevocationsFinished() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let ledger = dir + "/ledger.sqlite"
        let full = try writeExport(dir, addresses(0..<50))
        #expect(try await runBinary(runArguments(full, ledger: ledger, server: server), in: dir).status == 0)
        // What a kill -9 in the middle of `--revoke-departed --force` leaves: users marked
        // revoking, their DELETE never sent.
        let leavers = addresses(40..<50)
        try await withLedger(ledger) { opened in
            let records = try await opened.records(provider: "google")
            let ids = records.filter { leavers.contains($0.email) }.compactMap(\.id)
            try await opened.apply(ids.map { UserUpdate(userID: $0, state: .revoking) })
        }
        let rest = try writeExport(dir, addresses(0..<40), name: "rest.csv")
        let run = try await runBinary(runArguments(rest, ledger: ledger, server: server, ["--json"]), in: dir)
        #expect(run.status == 0, "\(run.transcript)")
        let report = try jsonObject(run.stdout)
        #expect(report["revocations_resumed"] as? Int == 10)
        #expect(report["revoked"] as? Int == 10)
        #expect(report["departed"] as? Int == 0, "not counted as new departures")
        let records = try await ledgerRecords(ledger)
        #expect(leavers.allSatisfy { records[$0]?.state == .revoked })
        #expect(await server.state.stats().deletionsByEmail.count == 10)
    }

    @Test("run --job --sandbox leaves the job's real ledger untouched and names its own")
    func jobSandboxTrial() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeExport(dir, addresses(0..<5))
        let job = dir + "/job.toml"
        try """
            ledger = "nightly.sqlite"
            [[organisation]]
            name = "acme"
            provider = "google"
            credential_id = "acme-sa"
            scopes = ["https://www.googleapis.com/auth/calendar"]
            input = "\(URL(fileURLWithPath: input).lastPathComponent)"
            """.write(toFile: job, atomically: true, encoding: .utf8)
        let trial = try await runBinary(["run", "--job", job, "--sandbox", "--no-progress"], in: dir)
        #expect(trial.status == 0, "\(trial.transcript)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/nightly.sqlite"), "the real ledger was not written")
        #expect(FileManager.default.fileExists(atPath: dir + "/nightly-sandbox.sqlite"))
    }
}

/// A thread-safe count for observers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.withLock { value += 1; return value } }
}
