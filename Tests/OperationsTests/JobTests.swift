import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import Testing

/// Issue 8's multi-organisation jobs, through the built binary against a sandbox.
@Suite("multi-organisation jobs", .serialized)
struct JobTests {
    /// A sandbox holding one credential per organisation.
    func startJobSandbox(rateLimit: Double) async throws -> SandboxServer {
        var configuration = SandboxConfiguration()
        configuration.apiKey = sandboxKey
        configuration.rateLimit = rateLimit
        configuration.seedCredentials = [
            .init(provider: .google, id: "cred-big", name: "big"),
            .init(provider: .google, id: "cred-gone", name: "gone"),
            .init(provider: .microsoft, id: "cred-small", name: "small"),
        ]
        return try await SandboxServer.start(configuration, logger: quietLogger)
    }

    /// A job of two 300-user organisations (alpha on Google, beta on `betaProvider`) in `dir`,
    /// against a sandbox with some latency that sends `signal` to `pid` at the `after`-th
    /// creation. Returns the sandbox, both address lists and the `run --job` arguments.
    func interruptedJob(
        in dir: String, pid: PIDBox, signal: Int32, after: Int, betaProvider: Provider, rate: Int, concurrency: Int
    ) async throws -> (server: SandboxServer, alpha: [String], beta: [String], arguments: [String]) {
        var configuration = SandboxConfiguration()
        configuration.apiKey = sandboxKey
        configuration.rateLimit = 0
        configuration.faults.latencyMs = 20...40
        configuration.seedCredentials = [
            .init(provider: .google, id: "cred-a", name: "a"), .init(provider: betaProvider, id: "cred-b", name: "b"),
        ]
        configuration.observer = { event in
            if case .grantCreated(_, after) = event, pid.pid > 0 { kill(pid.pid, signal) }
        }
        let server = try await SandboxServer.start(configuration, logger: quietLogger)
        let alpha = addresses(0..<300, domain: "alpha.example")
        let beta = addresses(0..<300, domain: "beta.example")
        try writeExport(dir, alpha, name: "a.csv")
        try writeExport(dir, beta, name: "b.csv")
        let job = "ledger = \"job.sqlite\"\nrate = \(rate)\nconcurrency = \(concurrency)\n\n"
            + organisation("alpha", provider: "google", credential: "cred-a", input: "a.csv")
            + organisation("beta", provider: betaProvider.rawValue, credential: "cred-b", input: "b.csv")
        try job.write(toFile: dir + "/job.toml", atomically: true, encoding: .utf8)
        return (server, alpha, beta, ["run", "--job", "job.toml", "--api-uri", server.baseURI, "--no-progress"])
    }

    func organisation(_ name: String, provider: String, credential: String, input: String, extra: String = "") -> String {
        let scopes = provider == "google" ? "scopes = [\"https://www.googleapis.com/auth/calendar\"]\n" : ""
        return """
            [[organisation]]
            name = "\(name)"
            provider = "\(provider)"
            credential_id = "\(credential)"
            input = "\(input)"
            \(scopes)\(extra)

            """
    }

    @Test(
        "1,500, 300 and 20 users at a 50/s limit, one credential revoked: the healthy ones complete, the small one long before the big one, the revoked one stays pending with its error, and no 429 beyond 1%"
    )
    func threeOrganisations() async throws {
        let dir = try temporaryDirectory(prefix: "job")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startJobSandbox(rateLimit: 50)
        defer { Task { await server.stop() } }
        let big = addresses(0..<1500, domain: "big.example")
        let gone = addresses(0..<300, domain: "gone.example")
        let small = addresses(0..<20, domain: "small.example")
        try writeExport(dir, big, name: "big.csv")
        try writeExport(dir, gone, name: "gone.csv")
        try writeExport(dir, small, name: "small.csv")
        // The organisation's service account was deleted: Nylas no longer knows its credential.
        await server.state.removeCredential(provider: .google, id: "cred-gone")
        let job = "ledger = \"job.sqlite\"\nrate = 45\nconcurrency = 32\n\n"
            + organisation("big", provider: "google", credential: "cred-big", input: "big.csv")
            + organisation("gone", provider: "google", credential: "cred-gone", input: "gone.csv")
            + organisation("small", provider: "microsoft", credential: "cred-small", input: "small.csv")
        try job.write(toFile: dir + "/job.toml", atomically: true, encoding: .utf8)

        let result = try await runBinary(
            [
                "run", "--job", dir + "/job.toml", "--api-uri", server.baseURI, "--json", "--no-progress",
                "--metrics-file", dir + "/job.prom",
            ], in: dir)
        #expect(result.status == 3, "the worst organisation stopped: \(result.stderr)")
        let metrics = try String(contentsOfFile: dir + "/job.prom", encoding: .utf8)
        #expect(metrics.contains("bulkgrant_last_run_exit_code{provider=\"google\",organisation=\"gone\"} 3"), "\(metrics)")
        #expect(metrics.contains("bulkgrant_users{provider=\"microsoft\",organisation=\"small\",state=\"granted\"} 20"))
        #expect(metrics.components(separatedBy: "# TYPE bulkgrant_last_run_exit_code gauge").count == 2, "each family once")
        let report = try jsonObject(result.stdout)
        let organisations = try #require(report["organisations"] as? [[String: Any]])
        #expect(organisations.map { $0["name"] as? String } == ["big", "gone", "small"])
        func part(_ index: Int) -> [String: Any] { organisations[index]["report"] as? [String: Any] ?? [:] }
        #expect(part(0)["granted"] as? Int == 1500)
        #expect(part(0)["exit_code"] as? Int == 0)
        #expect(part(2)["granted"] as? Int == 20)
        #expect(part(2)["exit_code"] as? Int == 0)
        #expect(part(1)["exit_code"] as? Int == 3)
        let goneReason = part(1)["stop_reason"] as? String ?? ""
        #expect(goneReason.contains("404") || goneReason.localizedCaseInsensitiveContains("credential"), "\(goneReason)")
        #expect(result.stderr.contains("gone"), "the stopped organisation is named on stderr for cron: \(result.stderr)")

        // Fair turns: the 20-user organisation does not queue behind the 1,500-user one. Half,
        // not a tighter share: a loaded machine stretches the small one's start-up (its export,
        // its ledger reads) more than the big one's calls; the turn order itself is FairGate's
        // unit test, and the share a timing goal of bulkgrant-bench's job scenario.
        let bigDone = try #require(organisations[0]["finished_after_seconds"] as? Double)
        let smallDone = try #require(organisations[2]["finished_after_seconds"] as? Double)
        #expect(smallDone < bigDone / 2, "small finished after \(smallDone) s, big after \(bigDone) s")

        let records = try await ledgerRecords(dir + "/job.sqlite")
        #expect(big.allSatisfy { records[$0]?.state == .granted && records[$0]?.organisation == "big" })
        #expect(small.allSatisfy { records[$0]?.state == .granted && records[$0]?.organisation == "small" })
        #expect(gone.allSatisfy { records[$0].map { $0.state == .pending } ?? true }, "no user of the revoked organisation is granted")

        let stats = await server.state.stats()
        #expect(stats.creationsByEmail.count == 1520)
        #expect(stats.creationsByEmail.values.allSatisfy { $0 == 1 })
        let requests = stats.calls.reduce(0) { $0 + $1.count }
        #expect(Double(stats.rateLimited) <= Double(requests) * 0.01, "\(stats.rateLimited) 429s of \(requests)")

        // The per-organisation views of the ledger.
        let status = try await runBinary(["status", "--ledger", dir + "/job.sqlite", "--org", "small", "--json"], in: dir)
        #expect(status.status == 0, "\(status.stderr)")
        let users = try jsonObject(status.stdout)["users"] as? [String: [String: Int]]
        #expect(users == ["microsoft": ["granted": 20]])
        let csv = try await runBinary(["report", "--ledger", dir + "/job.sqlite", "--org", "gone"], in: dir)
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout.split(separator: "\r\n").count == 301, "a header and the 300 users of 'gone'")
        let unknown = try await runBinary(["status", "--ledger", dir + "/job.sqlite", "--org", "nope"], in: dir)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("big, gone, small"), "\(unknown.stderr)")
    }

    @Test("an address in two organisations' exports stops the job before any call, naming both")
    func addressInTwoOrganisations() async throws {
        let dir = try temporaryDirectory(prefix: "job")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startJobSandbox(rateLimit: 0)
        defer { Task { await server.stop() } }
        try writeExport(dir, addresses(0..<10, domain: "big.example"), name: "a.csv")
        try writeExport(dir, addresses(5..<12, domain: "big.example") , name: "b.csv")
        let job = organisation("alpha", provider: "google", credential: "cred-big", input: "a.csv")
            + organisation("beta", provider: "microsoft", credential: "cred-small", input: "b.csv")
        try job.write(toFile: dir + "/job.toml", atomically: true, encoding: .utf8)
        let result = try await runBinary(["run", "--job", "job.toml", "--api-uri", server.baseURI, "--no-progress"], in: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains("user5@big.example is in the exports of both organisation 'alpha' and organisation 'beta'"), "\(result.stderr)")
        #expect(mutatingCalls(await server.state.stats()).isEmpty)
    }

    @Test("a truncated export in one organisation refuses that organisation's revocations only")
    func safeguardPerOrganisation() async throws {
        let dir = try temporaryDirectory(prefix: "job")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startJobSandbox(rateLimit: 0)
        defer { Task { await server.stop() } }
        let alpha = addresses(0..<100, domain: "alpha.example")
        let beta = addresses(0..<100, domain: "beta.example")
        try writeExport(dir, alpha, name: "a.csv")
        try writeExport(dir, beta, name: "b.csv")
        let job = "revoke_departed = true\nmax_revoke = \"10%\"\nrate = 1000\n\n"
            + organisation("alpha", provider: "google", credential: "cred-big", input: "a.csv")
            + organisation("beta", provider: "google", credential: "cred-gone", input: "b.csv")
        try job.write(toFile: dir + "/job.toml", atomically: true, encoding: .utf8)
        let arguments = ["run", "--job", "job.toml", "--api-uri", server.baseURI, "--no-progress", "--json"]
        let night1 = try await runBinary(arguments, in: dir)
        #expect(night1.status == 0, "\(night1.stderr)")

        // Night 2: alpha's export is cut to 40 rows; beta lost 5 people.
        try writeExport(dir, Array(alpha.prefix(40)), name: "a.csv")
        try writeExport(dir, Array(beta.dropFirst(5)), name: "b.csv")
        let before = await server.state.stats()
        let night2 = try await runBinary(arguments, in: dir)
        #expect(night2.status == 3, "alpha's safeguard refused: \(night2.stderr)")
        let organisations = try #require(try jsonObject(night2.stdout)["organisations"] as? [[String: Any]])
        let alphaReport = organisations[0]["report"] as? [String: Any] ?? [:]
        let betaReport = organisations[1]["report"] as? [String: Any] ?? [:]
        #expect(alphaReport["departed_action"] as? String == "refused")
        #expect(betaReport["revoked"] as? Int == 5)
        let after = await server.state.stats()
        #expect(after.deletionsByEmail.count - before.deletionsByEmail.count == 5)
        #expect(Set(after.deletionsByEmail.keys).subtracting(before.deletionsByEmail.keys) == Set(beta.prefix(5)))
    }

    @Test("a person moving between organisations: refused while the old grant stands, taken by the new organisation once it is revoked")
    func personMoves() async throws {
        let dir = try temporaryDirectory(prefix: "job")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startJobSandbox(rateLimit: 0)
        defer { Task { await server.stop() } }
        let mover = "mover@corp.example"
        try writeExport(dir, ["a1@corp.example", mover], name: "a.csv")
        try writeExport(dir, ["b1@corp.example"], name: "b.csv")
        let job = "ledger = \"job.sqlite\"\n\n"
            + organisation("alpha", provider: "google", credential: "cred-big", input: "a.csv")
            + organisation("beta", provider: "google", credential: "cred-gone", input: "b.csv")
        try job.write(toFile: dir + "/job.toml", atomically: true, encoding: .utf8)
        let arguments = ["run", "--job", "job.toml", "--api-uri", server.baseURI, "--no-progress"]
        #expect(try await runBinary(arguments, in: dir).status == 0)

        try writeExport(dir, ["a1@corp.example"], name: "a.csv")
        try writeExport(dir, ["b1@corp.example", mover], name: "b.csv")
        let refused = try await runBinary(arguments, in: dir)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("ledger records it under organisation 'alpha' (granted)"), "\(refused.stderr)")
        let grantID = try #require(try await ledgerRecords(dir + "/job.sqlite")[mover]?.grantID)
        let deleted = try await runBinary(
            ["grants", "delete", grantID, "--yes", "--ledger", "job.sqlite", "--api-uri", server.baseURI], in: dir)
        #expect(deleted.status == 0, "\(deleted.stderr)")

        let moved = try await runBinary(arguments, in: dir)
        #expect(moved.status == 0, "\(moved.stdout)\(moved.stderr)")
        let record = try #require(try await ledgerRecords(dir + "/job.sqlite")[mover])
        #expect(record.organisation == "beta")
        #expect(record.state == .granted)
    }

    @Test("SIGTERM stops every organisation: calls in flight are recorded, exit 3, and the rerun completes with no duplicate")
    func signalStopsAll() async throws {
        let dir = try temporaryDirectory(prefix: "job")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pid = PIDBox()
        let (server, _, _, base) = try await interruptedJob(
            in: dir, pid: pid, signal: SIGTERM, after: 100, betaProvider: .google, rate: 300, concurrency: 8)
        defer { Task { await server.stop() } }
        let arguments = base + ["--json"]
        let first = try await runProcess(
            binaryPath(), arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir, pid: pid)
        #expect(first.status == 3, "\(first.stderr)")
        let organisations = try #require(try jsonObject(first.stdout)["organisations"] as? [[String: Any]])
        for organisation in organisations {
            let report = organisation["report"] as? [String: Any] ?? [:]
            #expect((report["stop_reason"] as? String ?? "").contains("SIGTERM"), "\(report)")
        }
        let records = try await ledgerRecords(dir + "/job.sqlite")
        #expect(!records.values.contains { $0.state == .inFlight })
        #expect(records.values.filter { $0.state == .granted }.count == (await server.state.stats().creationsByEmail.count))

        let second = try await runBinary(arguments, in: dir)
        #expect(second.status == 0, "\(second.stderr)")
        let stats = await server.state.stats()
        #expect(stats.creationsByEmail.count == 600)
        #expect(stats.creationsByEmail.values.allSatisfy { $0 == 1 } && stats.reauthsByEmail.isEmpty)
    }

    @Test("--dry-run --job: each organisation's plan by name, nothing sent, the ledger byte-identical, and a clash it would refuse")
    func dryRun() async throws {
        let dir = try temporaryDirectory(prefix: "job")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startJobSandbox(rateLimit: 0)
        defer { Task { await server.stop() } }
        try writeExport(dir, addresses(0..<10, domain: "alpha.example"), name: "a.csv")
        try writeExport(dir, addresses(0..<4, domain: "beta.example"), name: "b.csv")
        let job = "ledger = \"job.sqlite\"\n\n"
            + organisation("alpha", provider: "google", credential: "cred-big", input: "a.csv")
            + organisation("beta", provider: "microsoft", credential: "cred-small", input: "b.csv")
        try job.write(toFile: dir + "/job.toml", atomically: true, encoding: .utf8)
        let arguments = ["run", "--job", "job.toml", "--api-uri", server.baseURI, "--no-progress"]
        #expect(try await runBinary(arguments, in: dir).status == 0)
        try writeExport(dir, addresses(0..<12, domain: "alpha.example"), name: "a.csv")
        let before = try fileBytes(dir + "/job.sqlite")
        let calls = mutatingCalls(await server.state.stats())

        let plan = try await runBinary(arguments + ["--dry-run", "--json"], in: dir)
        #expect(plan.status == 0, "\(plan.stderr)")
        let organisations = try #require(try jsonObject(plan.stdout)["organisations"] as? [[String: Any]])
        #expect(organisations.map { $0["name"] as? String } == ["alpha", "beta"])
        let alpha = organisations[0]["plan"] as? [String: Any] ?? [:]
        #expect((alpha["plan"] as? [String: Any]).flatMap { $0["new"] as? [String: Any] }?["count"] as? Int == 2, "\(alpha)")
        #expect(try fileBytes(dir + "/job.sqlite") == before)
        #expect(mutatingCalls(await server.state.stats()) == calls)

        try writeExport(dir, addresses(0..<4, domain: "beta.example") + ["user1@alpha.example"], name: "b.csv")
        let clash = try await runBinary(arguments + ["--dry-run"], in: dir)
        #expect(clash.status == 2)
        #expect(clash.stderr.contains("user1@alpha.example is in the exports of both organisation 'alpha' and organisation 'beta'"), "\(clash.stderr)")
    }

    @Test("SIGKILL mid-job: the rerun finishes every organisation with no grant created twice")
    func killedJobResumes() async throws {
        let dir = try temporaryDirectory(prefix: "job")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pid = PIDBox()
        let (server, alpha, beta, arguments) = try await interruptedJob(
            in: dir, pid: pid, signal: SIGKILL, after: 150, betaProvider: .microsoft, rate: 500, concurrency: 16)
        defer { Task { await server.stop() } }
        let killed = try await runProcess(
            binaryPath(), arguments, environment: ["NYLAS_API_KEY": sandboxKey], in: dir, pid: pid)
        #expect(killed.killed, "the job must have been killed mid-run: \(killed.stdout)")

        let rerun = try await runBinary(arguments, in: dir)
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        let stats = await server.state.stats()
        #expect(stats.creationsByEmail.count == 600)
        #expect(stats.creationsByEmail.values.allSatisfy { $0 == 1 }, "no grant created twice")
        #expect(stats.reauthsByEmail.isEmpty, "no user sent again after the kill")
        let records = try await ledgerRecords(dir + "/job.sqlite")
        #expect(alpha.allSatisfy { records[$0]?.state == .granted && records[$0]?.organisation == "alpha" })
        #expect(beta.allSatisfy { records[$0]?.state == .granted && records[$0]?.organisation == "beta" })
    }

    @Test("--no-wait refuses only the Microsoft organisation whose admin consent is under 5 minutes old")
    func consentPerOrganisation() async throws {
        let dir = try temporaryDirectory(prefix: "job")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startJobSandbox(rateLimit: 0)
        defer { Task { await server.stop() } }
        let alpha = addresses(0..<5, domain: "alpha.example")
        let beta = addresses(0..<5, domain: "beta.example")
        try writeExport(dir, alpha, name: "a.csv")
        try writeExport(dir, beta, name: "b.csv")
        let job = "ledger = \"job.sqlite\"\n\n"
            + organisation("alpha", provider: "google", credential: "cred-big", input: "a.csv")
            + organisation("beta", provider: "microsoft", credential: "cred-small", input: "b.csv")
        try job.write(toFile: dir + "/job.toml", atomically: true, encoding: .utf8)
        try await withLedger(dir + "/job.sqlite") { ledger in
            try await ledger.recordConsent(
                ConsentRecord(credentialID: "cred-small", consentedAt: Date().timeIntervalSince1970 - 60))
        }
        let result = try await runBinary(
            ["run", "--job", "job.toml", "--api-uri", server.baseURI, "--no-progress", "--no-wait"], in: dir)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("beta"), "\(result.stdout)")
        #expect(result.stdout.contains("cred-small"), "the refusal names the credential: \(result.stdout)")
        let stats = await server.state.stats()
        #expect(Set(stats.creationsByEmail.keys) == Set(alpha), "alpha ran, beta sent nothing")
    }

    @Test("job check lists every problem: unknown keys with a suggestion, missing files, duplicate names, a credential of the wrong provider")
    func jobCheck() async throws {
        let dir = try temporaryDirectory(prefix: "job")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startJobSandbox(rateLimit: 0)
        defer { Task { await server.stop() } }
        try writeExport(dir, addresses(0..<3, domain: "alpha.example"), name: "a.csv")
        let bad = "concurency = 8\n\n"
            + organisation("alpha", provider: "google", credential: "cred-small", input: "a.csv", extra: "credential-id = \"x\"")
            + organisation("alpha", provider: "google", credential: "cred-big", input: "missing.csv")
        try bad.write(toFile: dir + "/bad.toml", atomically: true, encoding: .utf8)
        let result = try await runBinary(["job", "check", "bad.toml"], in: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown key 'concurency'; did you mean concurrency?"), "\(result.stderr)")
        #expect(result.stderr.contains("unknown key 'credential-id'; did you mean credential_id?"), "\(result.stderr)")
        #expect(result.stderr.contains("same name as organisation 1, 'alpha'"), "\(result.stderr)")

        let fixed = organisation("alpha", provider: "google", credential: "cred-small", input: "a.csv")
            + organisation("beta", provider: "google", credential: "cred-big", input: "missing.csv")
        try fixed.write(toFile: dir + "/job.toml", atomically: true, encoding: .utf8)
        let checked = try await runBinary(["job", "check", "job.toml", "--api-uri", server.baseURI], in: dir)
        #expect(checked.status == 2)
        #expect(checked.stdout.contains("missing.csv"), "\(checked.stdout)")
        #expect(checked.stdout.contains("credential cred-small belongs to microsoft, not google"), "\(checked.stdout)")

        let clash = organisation("alpha", provider: "google", credential: "cred-big", input: "a.csv")
            + organisation("beta", provider: "google", credential: "cred-big", input: "a.csv")
        try clash.write(toFile: dir + "/clash.toml", atomically: true, encoding: .utf8)
        let clashed = try await runBinary(["job", "check", "clash.toml", "--api-uri", server.baseURI], in: dir)
        #expect(clashed.status == 2)
        #expect(clashed.stdout.contains("user0@alpha.example is in the exports of both organisation 'alpha' and organisation 'beta'"), "\(clashed.stdout)")

        let good = organisation("alpha", provider: "google", credential: "cred-big", input: "a.csv")
        try good.write(toFile: dir + "/good.toml", atomically: true, encoding: .utf8)
        let ok = try await runBinary(["job", "check", "good.toml", "--api-uri", server.baseURI], in: dir)
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("ready to run"))
    }
}

/// The example job in `examples/` must check clean and run against the try-out sandbox.
@Suite("examples/job.toml")
struct ExampleJobTests {
    @Test("examples/job.toml passes job check and runs with --sandbox: every organisation done, filters applied")
    func exampleJob() async throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples")
        // A copy, so that the example's ledger is not written into the repository.
        let dir = try temporaryDirectory(prefix: "example-job")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["job.toml", "hr-export.csv", "orgs"] {
            try FileManager.default.copyItem(
                atPath: examples.appendingPathComponent(name).path, toPath: dir + "/" + name)
        }
        let check = try await runBinary(["job", "check", "job.toml"], environment: ["NYLAS_API_KEY": ""], in: dir)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let run = try await runBinary(["run", "--job", "job.toml", "--sandbox", "--json", "--no-progress"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let organisations = try #require(try jsonObject(run.stdout)["organisations"] as? [[String: Any]])
        #expect(organisations.map { $0["name"] as? String } == ["acme", "northwind", "contoso"])
        let acme = organisations[0]["report"] as? [String: Any] ?? [:]
        #expect((acme["filtered"] as? Int ?? 0) > 0, "Status=Active leaves the example's terminated and on-leave rows out")
        // A sandbox trial writes a ledger of its own beside the job's, never the job's.
        #expect(FileManager.default.fileExists(atPath: dir + "/bulkgrant-job-sandbox.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/bulkgrant-job.sqlite"))
    }
}

