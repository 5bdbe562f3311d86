import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

/// `bulkgrant consent url`, the listener's refusals, and the Microsoft run's five-minute rule,
/// through the built binary.
@Suite("bulkgrant consent url and the run's consent gate")
struct ConsentCommandTests {
    @Test("consent url prints the URL, its state and the exact listen command, with no API key")
    func urlPrintsURLAndListenCommand() async throws {
        let directory = try temporaryDirectory(prefix: "consent-url")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = try await runBinary(
            [
                "consent", "url", "--credential-id", "cred ms", "--client-id", "nylas-client",
                "--redirect-uri", "http://localhost:8400/oauth", "--region", "eu", "--ledger", "/srv/bulkgrant.sqlite",
            ], in: directory)
        #expect(output.status == 0, "\(output.transcript)")
        let state = try #require(output.stdout.firstMatch(of: /state: ([A-Za-z0-9_-]{43})\n/)?.1)
        #expect(
            output.stdout.contains(
                "https://api.eu.nylas.com/v3/connect/auth?provider=microsoft&redirect_uri=http%3A%2F%2Flocalhost%3A8400%2Foauth&response_type=adminconsent&state=\(state)&credential_id=cred%20ms&client_id=nylas-client"
            ), "\(output.stdout)")
        #expect(
            output.stdout.contains(
                "bulkgrant consent listen --port 8400 --state \(state) --credential-id 'cred ms' --path /oauth --ledger /srv/bulkgrant.sqlite --region eu"
            ), "\(output.stdout)")
        let second = try await runBinary(
            ["consent", "url", "--credential-id", "c", "--client-id", "x", "--redirect-uri", "http://localhost:8400/callback", "--json"],
            in: directory)
        let object = try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as! [String: Any]
        #expect(object["state"] as? String != String(state), "each URL gets a fresh state")
        #expect((object["listen_command"] as? String)?.hasPrefix("bulkgrant consent listen --port 8400 --state ") == true)
    }

    @Test("consent url refuses --scope with common or without --tenant, and a bad redirect URI, with exit 2",
        arguments: [
            (["--scope", "Mail.Read"], "--scope needs --tenant"),
            (["--scope", "Mail.Read", "--tenant", "common"], "--scope cannot be used with --tenant common"),
            (["--redirect-uri", "http://acme.com/cb"], "only localhost may be plain http"),
            (["--redirect-uri", "localhost:8400"], "--redirect-uri 'localhost:8400'"),
            (["--state", "x y"], "--state must be 8 to 256 characters"),
        ])
    func urlRefusals(extra: [String], message: String) async throws {
        let directory = try temporaryDirectory(prefix: "consent-url")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var arguments = ["consent", "url", "--credential-id", "c", "--client-id", "x"]
        if !extra.contains("--redirect-uri") { arguments += ["--redirect-uri", "http://localhost:8400/callback"] }
        let output = try await runBinary(arguments + extra, in: directory)
        #expect(output.status == 2, "\(output.transcript)")
        #expect(output.stderr.contains(message), "\(output.stderr)")
        #expect(output.stdout.isEmpty)
    }

    @Test("consent listen on a ledger held by a run exits 3 naming the holder's pid")
    func listenOnHeldLedger() async throws {
        let directory = try temporaryDirectory(prefix: "consent-listen")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let holder = try Ledger.open(path: directory + "/bulkgrant.sqlite", apiIdentity: APIEndpoint.us.identity, logger: quietLogger)
        defer { try? holder.close() }
        let output = try await runBinary(
            ["consent", "listen", "--port", "0", "--state", "held-ledger-state", "--credential-id", "c"], in: directory)
        #expect(output.status == 3, "\(output.transcript)")
        #expect(output.stderr.contains("pid \(getpid())"), "\(output.stderr)")
        #expect(!output.stderr.contains("listening on"))
    }

    @Test("consent listen with no redirect before --timeout exits 3 and records nothing")
    func listenTimesOut() async throws {
        let directory = try temporaryDirectory(prefix: "consent-listen")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = try await runBinary(
            ["consent", "listen", "--port", "0", "--state", "timeout-state", "--credential-id", "c", "--timeout", "0.5"],
            in: directory)
        #expect(output.status == 3, "\(output.transcript)")
        #expect(output.stderr.contains("no admin-consent redirect arrived within 1s: nothing recorded"), "\(output.stderr)")
        let ledger = try Ledger.openReadOnly(path: directory + "/bulkgrant.sqlite", logger: quietLogger)
        defer { try? ledger.close() }
        #expect(try await ledger.consent(credentialID: "c") == nil)
    }

    @Test("a state of one's own that starts with '-' is taken as the state, not as a flag")
    func stateStartingWithDash() async throws {
        let directory = try temporaryDirectory(prefix: "consent-listen")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = try await runBinary(
            ["consent", "listen", "--port", "0", "--state", "-dash-state-1", "--timeout", "0.2"], in: directory)
        #expect(output.status == 3, "it listened and timed out rather than failing to parse: \(output.transcript)")
        #expect(!output.stderr.contains("Missing value"), "\(output.stderr)")
    }

    @Test("run --provider microsoft --no-wait a minute after consent exits 3 with the time left and sends nothing")
    func noWaitRefuses() async throws {
        try await withCLI { cli, server, _ in
            try await recordConsent(cli, server, credential: Seed.microsoft, secondsAgo: 60)
            try writeUsers(cli)
            let output = try await cli.run(
                ["run", "users.txt", "--provider", "microsoft", "--credential-id", Seed.microsoft, "--no-wait"])
            #expect(output.status == 3, "\(output.transcript)")
            #expect(
                output.stderr.contains(
                    /admin consent for credential cred-microsoft was recorded 1m0\ds ago; Microsoft needs 5 minutes to apply it: wait (3m5\ds|4m00s) or rerun without --no-wait/
                ), "\(output.stderr)")
            let stats = await server.state.stats()
            #expect(stats.count("POST", "/v3/connect/custom") == 0)
            #expect(stats.calls.isEmpty, "nothing at all is sent before the five minutes are over")
        }
    }

    @Test("--dry-run reports the wait without waiting")
    func dryRunReportsTheWait() async throws {
        try await withCLI { cli, server, _ in
            try await recordConsent(cli, server, credential: Seed.microsoft, secondsAgo: 30)
            try writeUsers(cli)
            let output = try await cli.run(
                ["run", "users.txt", "--provider", "microsoft", "--credential-id", Seed.microsoft, "--dry-run"])
            #expect(output.status == 0, "\(output.transcript)")
            #expect(output.stderr.contains("Microsoft needs 5 minutes to apply it: waiting 4m"), "\(output.stderr)")
            #expect(output.stderr.contains("a real run would wait; --dry-run does not"))
            #expect(output.seconds < 60)
            #expect(await server.state.stats().count("POST", "/v3/connect/custom") == 0)
        }
    }

    @Test("a consent over five minutes old, or none at all, lets a Microsoft run go on at once",
        arguments: [Optional(301.0), nil])
    func oldOrNoConsentProceeds(secondsAgo: Double?) async throws {
        try await withCLI { cli, server, _ in
            if let secondsAgo { try await recordConsent(cli, server, credential: Seed.microsoft, secondsAgo: secondsAgo) }
            try writeUsers(cli)
            let output = try await cli.run(
                ["run", "users.txt", "--provider", "microsoft", "--credential-id", Seed.microsoft, "--no-wait"])
            #expect(output.status == 0, "\(output.transcript)")
            #expect(!output.stderr.contains("admin consent"), "no consent notice at the default log level: \(output.stderr)")
            #expect(await server.state.stats().creationsByEmail.count == 2)
        }
    }

    @Test("Google runs ignore consents, and --no-wait with google is harmless")
    func googleUnaffected() async throws {
        try await withCLI { cli, server, _ in
            try await recordConsent(cli, server, credential: Seed.google, secondsAgo: 10)
            try writeUsers(cli)
            let output = try await cli.run(
                ["run", "users.txt", "--provider", "google", "--credential-id", Seed.google, "--scope", Seed.scopes[0], "--no-wait"])
            #expect(output.status == 0, "\(output.transcript)")
            #expect(await server.state.stats().creationsByEmail.count == 2)
        }
    }

    private func writeUsers(_ cli: CLI) throws {
        try "alice@acme.example\nbob@acme.example\n".write(toFile: cli.directory + "/users.txt", atomically: true, encoding: .utf8)
    }
}
