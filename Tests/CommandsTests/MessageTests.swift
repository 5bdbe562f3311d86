import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

/// Messages a nightly operator reads, each saying what is true and what to do, once.
@Suite("messages", .serialized)
struct MessageTests {
    static let scope = "https://www.googleapis.com/auth/calendar"

    func export(_ lines: [String], in cli: CLI, name: String = "export.csv") throws -> String {
        let path = cli.directory + "/" + name
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func run(_ cli: CLI, _ input: String, _ extra: [String] = []) async throws -> Output {
        try await cli.run(["run", input, "--provider", "google", "--credential-id", Seed.google, "--scope", Self.scope] + extra)
    }

    @Test("deferred users whose outcome is unknown are named as in_flight, as status and the metrics count them")
    func deferredInFlight() async throws {
        try await withCLI({ $0.faults.drop = 1 }) { cli, _, _ in
            let input = try export(["Email", "ann@acme.example"], in: cli)
            let output = try await run(cli, input, ["--max-attempts", "2", "--request-timeout", "5"])
            #expect(output.status == 1, "\(output.transcript)")
            #expect(output.stdout.contains("(1 left in_flight: their last call's outcome is unknown, so they are looked up first)"), "\(output.stdout)")
            #expect(try await ledgerStates(cli.defaultLedger)["ann@acme.example"] == .inFlight)
        }
    }

    @Test("why a run stopped is said once on standard error, without 'stopped: stopped:'")
    func stopSaidOnce() async throws {
        try await withCLI({ $0.tenant.google.delegatedScopes = [] }) { cli, _, _ in
            let input = try export(["Email"] + (0..<10).map { "u\($0)@acme.example" }, in: cli)
            let output = try await run(cli, input, ["--concurrency", "1"])
            #expect(output.status == 3)
            #expect(output.stderr.components(separatedBy: "google.delegation_missing:").count - 1 == 1, "\(output.stderr)")
            #expect(!output.all.lowercased().contains("stopped: stopped"))
            #expect(output.stdout.contains("Stopped: google.delegation_missing"))
        }
    }

    @Test("rows the filters drop that hold no valid address are said to be counted as filtered, not rejected")
    func filteredWithoutAddress() async throws {
        try await withCLI { cli, _, _ in
            let input = try export(
                ["Email,Status", "ann@acme.example,Active", ",Terminated", "bob@acme.example,Terminated"], in: cli)
            let output = try await run(cli, input, ["--where", "Status=Active"])
            #expect(output.status == 0, "\(output.transcript)")
            #expect(output.stdout.contains("Status=Active: 2; 1 of them had no valid address, counted here, not as rejected"), "\(output.stdout)")
        }
    }

    @Test("--dry-run prints the Windows-1252 warning the run prints, and counts in the singular when there is one")
    func dryRunWarnsAsTheRunDoes() async throws {
        try await withCLI { cli, _, _ in
            let path = cli.directory + "/latin1.csv"
            var bytes = Array("Name,Email\n".utf8)
            bytes += Array("Jos".utf8) + [0xE9] + Array(",jose@acme.example\nNobody,not-an-address\n".utf8)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let output = try await run(cli, path, ["--dry-run"])
            #expect(output.status == 0, "\(output.transcript)")
            #expect(output.stderr.contains("iconv -f WINDOWS-1252 -t UTF-8"), "\(output.stderr)")
            #expect(output.stdout.contains(", 1 rejected row"), "\(output.stdout)")
            #expect(!output.stdout.contains("1 rejected rows"))
            #expect(output.stdout.contains("nothing is created, deleted or written"))
        }
    }

    @Test("a missing --credential-id points to bulkgrant credentials list, not the dashboard")
    func missingCredentialID() async throws {
        try await withCLI { cli, _, _ in
            let output = try await cli.run(["run", "x.csv", "--provider", "google", "--scope", Self.scope])
            #expect(output.status == 2)
            #expect(output.stderr.contains("bulkgrant credentials list --provider google"), "\(output.stderr)")
            #expect(!output.stderr.contains("dashboard"))
        }
    }

    @Test("run --help says what a dry run sends")
    func dryRunHelp() async throws {
        try await withCLI { cli, _, _ in
            let help = try await runBinary(["run", "--help"], in: cli.directory)
            let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(text.contains("only the grant listings adoption and --repair-invalid need are sent"), "\(help.stdout)")
        }
    }

    @Test("consent listen with a short --state says to pass the state consent url printed")
    func consentListenShortState() async throws {
        try await withCLI { cli, _, _ in
            let output = try await runBinary(["consent", "listen", "--port", "0", "--state", "short"], in: cli.directory)
            #expect(output.status == 2)
            #expect(output.stderr.contains("pass the state 'bulkgrant consent url' printed"), "\(output.stderr)")
            #expect(!output.stderr.contains("leave it out"))
        }
    }

    @Test("credentials create microsoft: the redirect URI is one of the Nylas application's callback URIs")
    func microsoftRedirectURI() async throws {
        try await withCLI { cli, _, _ in
            let secret = cli.directory + "/secret.txt"
            try "a-secret-value".write(toFile: secret, atomically: true, encoding: .utf8)
            let output = try await cli.run([
                "credentials", "create", "microsoft", "--name", "M365", "--client-id", "2f70abcd-0000-4000-8000-000000000001",
                "--client-secret-file", secret, "--tenant", "common",
            ])
            #expect(output.status == 0, "\(output.transcript)")
            #expect(output.stdout.contains("one of your Nylas application's callback URIs"), "\(output.stdout)")
            #expect(!output.stdout.contains("registered on the Azure app"))
        }
    }

    @Test("JSON logs carry counts and statuses as numbers")
    func jsonLogNumbers() async throws {
        try await withCLI { cli, _, _ in
            let input = try export(["Email", "ann@acme.example", "bob@acme.example"], in: cli)
            let output = try await run(cli, input, ["--log-format", "json", "--log-level", "debug"])
            #expect(output.status == 0)
            let lines = output.stderr.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(lines.contains { $0["plan.new"] as? Int == 2 }, "\(output.stderr.prefix(2000))")
            #expect(lines.contains { $0["http.status"] is Int })
            #expect(!output.stderr.contains("\"plan.new\":\"2\""))
        }
    }

    @Test("connectors create on an application that has one says what bulkgrant can do about it")
    func connectorExists() async throws {
        try await withCLI { cli, _, _ in
            let secret = cli.directory + "/secret.txt"
            try "a-secret-value".write(toFile: secret, atomically: true, encoding: .utf8)
            let output = try await cli.run([
                "connectors", "create", "google", "--client-id", "1234.apps.googleusercontent.com", "--client-secret-file", secret,
            ])
            #expect(output.status == 1, "\(output.transcript)")
            #expect(output.stderr.contains("bulkgrant does not change or delete connectors"), "\(output.stderr)")
            #expect(output.stderr.contains("bulkgrant connectors show google"))
        }
    }

    @Test("the sandbox's try line works as printed")
    func sandboxTryLine() async throws {
        try await withCLI { cli, _, _ in
            try FileManager.default.createDirectory(atPath: cli.directory + "/examples", withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: packageRoot + "/examples/hr-export.csv",
                toPath: cli.directory + "/examples/hr-export.csv")
            let sandbox = try LiveProcess(["sandbox", "--port", "0", "--credential", "google:demo"], in: cli.directory)
            #expect(await sandbox.waitFor(onStdout: true) { $0.contains("sandbox-trial.sqlite") }, "\(sandbox.transcript)")
            let line = try #require(sandbox.stdout.split(separator: "\n").first { $0.hasPrefix("try:") })
            let words = line.dropFirst("try:".count).split(separator: " ").map(String.init)
            let key = try #require(words.first?.split(separator: "=").last.map(String.init))
            #expect(words.dropFirst().first == "bulkgrant")
            let run = try await runBinary(Array(words.dropFirst(2)), environment: ["NYLAS_API_KEY": key], in: cli.directory)
            #expect(run.status == 0, "\(run.transcript)")
            #expect(run.stdout.contains("granted") && run.stdout.contains("295"))
            sandbox.signal(SIGTERM)
            _ = await sandbox.finish()
        }
    }

    @Test("a credential of the other provider is named as such by credentials delete and doctor")
    func otherProviderNamed() async throws {
        try await withCLI { cli, _, _ in
            let delete = try await cli.run(["credentials", "delete", "--provider", "google", Seed.microsoft, "--yes"])
            #expect(delete.status == 1, "\(delete.transcript)")
            #expect(delete.stderr.contains("belongs to microsoft, not google: nothing deleted; rerun with --provider microsoft"), "\(delete.stderr)")
            let doctor = try await cli.run(["doctor", "--provider", "google", "--credential-id", Seed.microsoft])
            #expect(doctor.stdout.contains("belongs to microsoft, not google"), "\(doctor.stdout)")
        }
    }

    @Test("an API key file other users can read is reported with chmod 600")
    func apiKeyFilePermissions() async throws {
        try await withCLI { cli, _, _ in
            let keyFile = cli.directory + "/api-key"
            try cli.key.write(toFile: keyFile, atomically: true, encoding: .utf8)
            chmod(keyFile, 0o644)
            let output = try await runBinary(
                ["connectors", "list", "--api-key-file", keyFile, "--api-uri", cli.server.baseURI], in: cli.directory)
            #expect(output.status == 0, "\(output.transcript)")
            #expect(output.stderr.contains("API key file \(keyFile) is readable by other users (mode 644)"), "\(output.stderr)")
            #expect(output.stderr.contains("chmod 600 \(keyFile)"))
            chmod(keyFile, 0o600)
            let quiet = try await runBinary(
                ["connectors", "list", "--api-key-file", keyFile, "--api-uri", cli.server.baseURI], in: cli.directory)
            #expect(!quiet.stderr.contains("readable by other users"))
        }
    }

    @Test("--region wins over $NYLAS_API_URI; --sandbox refuses --api-uri and --region instead of ignoring them")
    func endpointRule() async throws {
        try await withCLI { cli, _, _ in
            let url = try await runBinary(
                [
                    "consent", "url", "--credential-id", "cred-ms", "--client-id", "nylas-client", "--redirect-uri",
                    "http://localhost:8765/callback", "--region", "eu",
                ], environment: ["NYLAS_API_URI": "http://127.0.0.1:9"], in: cli.directory)
            #expect(url.status == 0, "\(url.transcript)")
            #expect(url.stdout.contains("https://api.eu.nylas.com/v3/connect/auth"), "\(url.stdout)")
            let sandbox = try await runBinary(
                ["run", "x.csv", "--provider", "google", "--scope", Self.scope, "--sandbox", "--api-uri", "http://127.0.0.1:9"],
                in: cli.directory)
            #expect(sandbox.status == 2)
            #expect(sandbox.stderr.contains("--sandbox starts its own API on loopback"), "\(sandbox.stderr)")
        }
    }
}
