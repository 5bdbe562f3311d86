import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

/// The first real night, rehearsed with the built binary against the sandbox's tenant model:
/// credential-wide refusals stop within the first calls and name their fix; users' own causes
/// fail only them; a rerun after the fix grants everyone once.
@Suite("first night", .serialized)
struct FirstNightTests {
    static let calendar = "https://www.googleapis.com/auth/calendar"

    static func export(_ emails: [String], in directory: String, name: String = "export.csv") throws -> String {
        let path = directory + "/" + name
        try ("Email\n" + emails.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func users(_ count: Int, _ prefix: String = "user") -> [String] {
        (0..<count).map { "\(prefix)\($0)@acme.example" }
    }

    @Test("10,000 users, delegation lacking our scope: stopped within 3 + concurrency calls, all pending, the entry to paste named; fixed, a rerun grants each once")
    func delegationMissing() async throws {
        try await withCLI({ $0.tenant.google.delegatedScopes = ["https://www.googleapis.com/auth/gmail.readonly"] }) {
            cli, server, _ in
            let keyFile = try GoogleKeyFixture.write(GoogleKeyFixture.json(), to: cli.directory)
            let created = try await cli.run([
                "credentials", "create", "google", "--name", "Night", "--key-file", keyFile, "--scope", Self.calendar,
            ])
            #expect(created.status == 0, "\(created.transcript)")
            #expect(created.stdout.contains("Client ID:     109876543210987654321"), "\(created.stdout)")
            #expect(created.stdout.contains("OAuth scopes:  \(Self.calendar)"))
            let id = try #require(created.stdout.firstMatch(of: /created google credential ([0-9a-f-]{36})/)?.output.1)
            let input = try Self.export(Self.users(10_000), in: cli.directory)
            let arguments = ["run", input, "--provider", "google", "--credential-id", String(id), "--scope", Self.calendar, "--rate", "1000"]

            let first = try await cli.run(arguments)
            #expect(first.status == 3, "\(first.stderr.suffix(2000))")
            await server.state.settled()
            let posts = await server.state.stats().count("POST", "/v3/connect/custom")
            #expect(posts >= 3 && posts <= 3 + 64, "\(posts) custom authentications before the stop")
            let states = try await ledgerStates(cli.defaultLedger)
            #expect(states.count == 10_000)
            #expect(states.values.allSatisfy { $0 == .pending })
            let text = first.stdout + first.stderr
            #expect(text.contains("google.delegation_missing"))
            #expect(text.contains("domain-wide delegation"))
            #expect(text.contains("109876543210987654321"), "the client id bulkgrant recorded")
            #expect(text.contains(Self.calendar))
            #expect(!text.contains("rerun the same command to retry"))

            await server.state.setTenant(SandboxTenant())
            let second = try await cli.run(arguments)
            #expect(second.status == 0, "\(second.stderr.suffix(2000))")
            let stats = await server.state.stats()
            #expect(stats.creationsByEmail.count == 10_000)
            #expect(stats.creationsByEmail.values.allSatisfy { $0 == 1 })
            #expect(stats.reauthsByEmail.isEmpty)
            #expect(try await ledgerStates(cli.defaultLedger).values.allSatisfy { $0 == .granted })
        }
    }

    /// A Microsoft tenant set up wrong in one way, and the cause its run must name.
    static let microsoftTenants: [(String, String, @Sendable (inout SandboxTenant) -> Void)] = [
        ("no consent", "microsoft.consent_missing", { $0.microsoft.consentedAt = nil }),
        ("an expired secret", "microsoft.secret_expired", { $0.microsoft.secret = .expired }),
        ("consent given 2 minutes ago", "microsoft.consent_missing", {
            $0.microsoft.consentedAt = Date().timeIntervalSince1970 - 120
        }),
    ]

    @Test("Microsoft: no consent, an expired secret, consent 2 minutes old: nobody fails, the run stops early; fixed, everyone is granted", arguments: 0..<3)
    func microsoftTenant(index: Int) async throws {
        let (_, cause, change) = Self.microsoftTenants[index]
        try await withCLI({ change(&$0.tenant) }) { cli, server, _ in
            let input = try Self.export(Self.users(500), in: cli.directory)
            let arguments = ["run", input, "--provider", "microsoft", "--credential-id", Seed.microsoft, "--rate", "1000", "--json"]
            let first = try await cli.run(arguments)
            #expect(first.status == 3, "\(first.stderr.suffix(1500))")
            await server.state.settled()
            #expect(await server.state.stats().count("POST", "/v3/connect/custom") <= 3 + 64)
            #expect(try await ledgerStates(cli.defaultLedger).values.allSatisfy { $0 == .pending })
            #expect(first.stdout.contains("\"failed\":0"))
            #expect(first.stdout.contains(cause), "\(first.stdout.prefix(1500))")

            await server.state.setTenant(SandboxTenant())
            let second = try await cli.run(arguments)
            #expect(second.status == 0, "\(second.stderr.suffix(1500))")
            let stats = await server.state.stats()
            #expect(stats.creationsByEmail.count == 500 && stats.creationsByEmail.values.allSatisfy { $0 == 1 })
        }
    }

    @Test("Microsoft consent recorded 2 minutes ago: --no-wait refuses before any call and says how long is left")
    func recordedConsentWaits() async throws {
        try await withCLI({ $0.tenant.microsoft.consentedAt = Date().timeIntervalSince1970 - 120 }) { cli, server, _ in
            let ledger = try Ledger.open(
                path: cli.defaultLedger, apiIdentity: try APIEndpoint(server.baseURI).identity, logger: quietLogger)
            try await ledger.recordConsent(
                ConsentRecord(credentialID: Seed.microsoft, consentedAt: Date().timeIntervalSince1970 - 120))
            try ledger.close()
            let input = try Self.export(Self.users(50), in: cli.directory)
            let run = try await cli.run(["run", input, "--provider", "microsoft", "--credential-id", Seed.microsoft, "--no-wait"])
            #expect(run.status == 3)
            #expect(run.stderr.contains("wait 3m"), "\(run.stderr)")
            #expect(await server.state.stats().count("POST", "/v3/connect/custom") == 0)
        }
    }

    @Test("a directory with 2% unknown, 1% disabled and 1% unlicensed users: those fail with three causes, everyone else is granted")
    func mixedDirectory() async throws {
        let users = Self.users(1000)
        try await withCLI({ configuration in
            for (index, email) in users.enumerated() {
                switch index % 100 {
                case 0, 1: configuration.tenant.microsoft.users[email] = .unknown
                case 2: configuration.tenant.microsoft.users[email] = .disabled
                case 3: configuration.tenant.microsoft.users[email] = .noMailbox
                default: break
                }
            }
        }) { cli, server, _ in
            let input = try Self.export(users, in: cli.directory)
            let run = try await cli.run(["run", input, "--provider", "microsoft", "--credential-id", Seed.microsoft, "--rate", "1000"])
            #expect(run.status == 1, "\(run.stderr.suffix(1500))")
            let states = try await ledgerStates(cli.defaultLedger)
            #expect(states.values.filter { $0 == .granted }.count == 960)
            #expect(states.values.filter { $0 == .failed }.count == 40)
            let causeLines = run.stdout.split(separator: "\n").filter { $0.contains(" × microsoft.") }
            #expect(causeLines.count == 3, "\(run.stdout)")
            #expect(causeLines.contains { $0.hasPrefix("  20 × microsoft.user_not_found") })
            #expect(causeLines.contains { $0.hasPrefix("  10 × microsoft.account_disabled") })
            #expect(causeLines.contains { $0.hasPrefix("  10 × microsoft.mailbox_not_enabled") })
            #expect(run.stdout.components(separatedBy: "fix: ").count - 1 == 3, "one fix line per cause")
            #expect(await server.state.stats().count("POST", "/v3/connect/custom") == 1000)
        }
    }

    @Test("30 unknown users before 30 real ones: every real user is granted the first night; on the fourth, two new hires are, and the failing cost one call each at most")
    func unknownUsersDoNotBlockTheNight() async throws {
        let ghosts = Self.users(30, "ghost")
        let staff = Self.users(30, "staff")
        try await withCLI({ configuration in
            for ghost in ghosts { configuration.tenant.google.users[ghost] = .unknown }
        }) { cli, server, _ in
            func night(_ emails: [String]) async throws -> (status: Int32, posts: Int, stdout: String) {
                let input = try Self.export(emails, in: cli.directory)
                let before = await server.state.stats().count("POST", "/v3/connect/custom")
                let run = try await cli.run([
                    "run", input, "--provider", "google", "--credential-id", Seed.google, "--scope", Self.calendar,
                ])
                await server.state.settled()
                return (run.status, await server.state.stats().count("POST", "/v3/connect/custom") - before, run.stdout)
            }
            let first = try await night(ghosts + staff)
            #expect(first.status == 1, "exit 1, not 3: nothing stops the night")
            #expect(first.posts == 60)
            var states = try await ledgerStates(cli.defaultLedger)
            #expect(staff.allSatisfy { states[$0] == .granted })
            #expect(ghosts.allSatisfy { states[$0] == .failed })
            #expect(first.stdout.contains("30 × google.user_not_found"), "\(first.stdout)")

            let second = try await night(ghosts + staff)
            #expect(second.status == 1 && second.posts == 30)
            let status = try await runBinary(["status"], in: cli.directory)
            #expect(status.stdout.contains("30 google users fail for the same reason run after run"), "\(status.stdout)")
            let third = try await night(ghosts + staff)
            #expect(third.posts == 0, "failing for the same reason twice in a row: they sit a run out")
            #expect(third.stdout.contains("resting"), "\(third.stdout)")

            let hires = ["new.hire1@acme.example", "new.hire2@acme.example"]
            let fourth = try await night(ghosts + staff + hires)
            #expect(fourth.posts <= 2 + 30, "each failing user costs one call at most")
            states = try await ledgerStates(cli.defaultLedger)
            #expect(hires.allSatisfy { states[$0] == .granted })
            #expect(await server.state.stats().creationsByEmail.count == 32)
        }
    }
}
