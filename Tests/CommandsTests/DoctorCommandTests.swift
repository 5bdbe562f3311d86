import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

@Suite("bulkgrant doctor")
struct DoctorCommandTests {
    struct ReportJSON: Decodable {
        struct Check: Decodable {
            var id: String
            var status: String
            var detail: String
            var fix: String?
        }
        var checks: [Check]
        var passed: Bool
    }

    func lines(_ output: Output) -> [String] { output.stdout.split(separator: "\n").map(String.init) }

    @Test func everyCheckPassesOnAHealthySetup() async throws {
        try await withCLI { cli, server, _ in
            try await writeLedger(cli.defaultLedger, server: server, users: [("ada@acme.example", "grant-1")])
            let output = try await cli.run(["doctor", "--provider", "google", "--credential-id", Seed.google])
            #expect(output.status == 0, "\(output.transcript)")
            let lines = lines(output)
            #expect(lines.count == 11, "\(output.stdout)")
            #expect(lines.dropLast().allSatisfy { $0.hasPrefix("✓ ") }, "\(output.stdout)")
            #expect(lines.contains("✓ API key present: from NYLAS_API_KEY"))
            #expect(lines.contains { $0.hasPrefix("✓ google credential \(Seed.google): \"seeded google\", serviceaccount") })
            #expect(lines.contains("✓ ledger bulkgrant.sqlite readable: 1 user recorded"))
            #expect(lines.contains("✓ ledger bulkgrant.sqlite not locked: no run holds it"))
            #expect(lines.contains { $0.hasPrefix("✓ system clock: within ") })
            #expect(lines.contains { $0.hasPrefix("✓ google credential \(Seed.google) key age: last updated ") && $0.hasSuffix("(today), within --max-key-age 90 days") })
            #expect(lines.last == "10 of 10 checks passed")
        }
    }

    /// A sandbox whose seeded credentials were last updated `days` ago.
    func withAgedCredentials(days: Double, _ body: (CLI, Double) async throws -> Void) async throws {
        let updated = Date().timeIntervalSince1970 - days * 86_400
        try await withCLI({ configuration in
            configuration.seedCredentials = Seed.credentials.map {
                var seed = $0
                seed.createdAt = updated - 86_400 * 30
                seed.updatedAt = updated
                return seed
            }
        }) { cli, _, _ in try await body(cli, updated) }
    }

    @Test func aKeyLastUpdated91DaysAgoFailsTheAgeCheckWithTheRotateCommand() async throws {
        try await withAgedCredentials(days: 91) { cli, _ in
            let output = try await cli.run(["doctor", "--provider", "google", "--credential-id", Seed.google])
            #expect(output.status == 1, "\(output.transcript)")
            let line = try #require(lines(output).first { $0.hasPrefix("✗ google credential \(Seed.google) key age: ") }, "\(output.stdout)")
            #expect(line.contains("(91 days ago), older than --max-key-age 90 days"), "\(line)")
            #expect(line.contains("→ fix: create a new JSON key for the service account"))
            #expect(line.contains("`bulkgrant credentials rotate google --credential-id \(Seed.google) --key-file NEW.json`"))
            #expect(lines(output).last == "1 of 10 checks failed")

            let allowed = try await cli.run(
                ["doctor", "--provider", "google", "--credential-id", Seed.google, "--max-key-age", "120", "--json"])
            #expect(allowed.status == 0, "\(allowed.transcript)")
            let report = try JSONDecoder().decode(ReportJSON.self, from: allowed.stdoutData)
            let age = try #require(report.checks.first { $0.id == "credential.age" })
            #expect(age.status == "pass")
            #expect(age.detail.contains("(91 days ago), within --max-key-age 120 days"), "\(age.detail)")

            // Without --credential-id, every credential of the provider is aged.
            let all = try await cli.run(["doctor", "--provider", "microsoft"])
            #expect(all.status == 1)
            #expect(lines(all).contains { $0.hasPrefix("✗ microsoft credential key ages: \(Seed.microsoft) last updated ") && $0.contains("rotate microsoft --credential-id \(Seed.microsoft)") }, "\(all.stdout)")
        }
    }

    @Test func aKeyLastUpdated89DaysAgoPasses() async throws {
        try await withAgedCredentials(days: 89) { cli, updated in
            let output = try await cli.run(["doctor", "--provider", "google", "--credential-id", Seed.google])
            #expect(lines(output).contains { $0.hasPrefix("✓ google credential \(Seed.google) key age: ") && $0.contains("(89 days ago)") }, "\(output.stdout)")
            let list = try await cli.run(["credentials", "list", "--provider", "google"])
            let day = GrantTextForTests.day(updated)
            #expect(list.stdout.split(separator: "\n").contains { $0.hasPrefix(Seed.google) && $0.contains(day) }, "\(list.stdout)")
        }
    }

    @Test func aMaxKeyAgeThatIsNotANumberOfDaysIsAUsageError() async throws {
        try await withCLI { cli, _, _ in
            let output = try await cli.run(["doctor", "--provider", "google", "--max-key-age", "0"])
            #expect(output.status == 2)
            #expect(output.stderr.contains("--max-key-age takes a number of days"), "\(output.stderr)")
        }
    }

    @Test func aWrongKeyFailsWithTheRegionHintAndSkipsWhatNeedsIt() async throws {
        try await withCLI { cli, _, _ in
            let output = try await cli.run(
                ["doctor", "--provider", "google", "--credential-id", Seed.google], key: "a-key-of-the-other-region")
            #expect(output.status == 1, "\(output.transcript)")
            let lines = lines(output)
            let accepted = try #require(lines.first { $0.hasPrefix("✗ API key accepted: ") }, "\(output.stdout)")
            #expect(accepted.contains("HTTP 401"))
            #expect(accepted.contains("→ fix: a key of another region answers 401"))
            #expect(accepted.contains("pass --region us or --region eu"))
            #expect(namesRequestID(accepted))
            #expect(lines.contains("- google connector: skipped: the API key was not accepted"))
            #expect(lines.contains("- google credential \(Seed.google): skipped: the API key was not accepted"))
            #expect(!output.all.contains("a-key-of-the-other-region"))
        }
    }

    @Test func aMissingKeyIsTheFirstFailure() async throws {
        try await withCLI { cli, _, _ in
            let output = try await cli.run(["doctor"], key: "")
            #expect(output.status == 1)
            #expect(lines(output).first?.hasPrefix("✗ API key present: no API key") == true, "\(output.stdout)")
            #expect(lines(output).first?.contains("→ fix: set NYLAS_API_KEY or pass --api-key-file FILE") == true)
        }
    }

    @Test func aMissingCredentialFails() async throws {
        try await withCLI { cli, _, _ in
            let output = try await cli.run(["doctor", "--provider", "microsoft", "--credential-id", "no-such-credential"])
            #expect(output.status == 1, "\(output.transcript)")
            let line = try #require(lines(output).first { $0.hasPrefix("✗ microsoft credential no-such-credential: ") })
            #expect(line.contains("not found for microsoft"))
            #expect(line.contains("→ fix: list them with bulkgrant credentials list --provider microsoft"))
            #expect(lines(output).last == "1 of 9 checks failed")
        }
    }

    @Test func aCredentialOfTheWrongTypeFails() async throws {
        try await withCLI { cli, _, client in
            let override = try await client.createCredential(
                provider: .microsoft,
                CreateCredentialRequest(
                    name: "connector override", credentialType: .connector,
                    credentialData: ["client_id": "2f70abcd-1234-4f5e-9a8b-0c1d2e3f4a5b", "client_secret": "not-a-secret"]))
            let output = try await cli.run(["doctor", "--provider", "microsoft", "--credential-id", override.id])
            #expect(output.status == 1, "\(output.transcript)")
            let line = try #require(lines(output).first { $0.hasPrefix("✗ microsoft credential \(override.id): ") })
            #expect(line.contains(
                "\"connector override\" is of type connector; microsoft bulk authentication needs adminconsent"), "\(line)")
            #expect(line.contains("bulkgrant credentials create microsoft"))
        }
    }

    @Test func aMissingConnectorFailsAndTheCredentialIsSkipped() async throws {
        try await withCLI({ $0.connectors = [.google] }) { cli, _, _ in
            let output = try await cli.run(["doctor", "--provider", "microsoft", "--json"])
            #expect(output.status == 1)
            let report = try JSONDecoder().decode(ReportJSON.self, from: output.stdoutData)
            #expect(!report.passed)
            let connector = try #require(report.checks.first { $0.id == "connector" })
            #expect(connector.status == "fail")
            #expect(connector.detail == "the application has no microsoft connector (it has: google)")
            #expect(connector.fix?.contains("bulkgrant connectors create microsoft") == true)
            #expect(report.checks.first { $0.id == "credential" }?.status == "skip")
        }
    }

    @Test func aLedgerHeldByARunFailsNamingThePid() async throws {
        try await withCLI { cli, server, _ in
            // This test process plays the running `bulkgrant run`.
            let ledger = try Ledger.open(
                path: cli.defaultLedger, apiIdentity: try APIEndpoint(server.baseURI).identity, logger: quietLogger)
            defer { try? ledger.close() }
            let output = try await cli.run(["doctor"])
            #expect(output.status == 1, "\(output.transcript)")
            let line = try #require(lines(output).first { $0.hasPrefix("✗ ledger bulkgrant.sqlite not locked: ") }, "\(output.stdout)")
            #expect(line.contains("held by bulkgrant pid \(getpid()) since "), "\(line)")
            #expect(line.contains("→ fix: a run is using it: wait for it to finish (or stop it), then rerun doctor"))
            #expect(lines(output).contains("✓ ledger bulkgrant.sqlite readable: 0 users recorded"))
        }
    }

    @Test func theLedgerIsLeftUnchangedAndAnAbsentOneIsNotCreated() async throws {
        try await withCLI { cli, server, _ in
            let absent = try await cli.run(["doctor", "--ledger", "night/bulkgrant.sqlite"])
            #expect(absent.status == 1)
            #expect(lines(absent).contains { $0.hasPrefix("✗ ledger night/bulkgrant.sqlite writable: its folder") && $0.contains("mkdir -p") })
            #expect(!FileManager.default.fileExists(atPath: cli.directory + "/night"))

            let fresh = try await cli.run(["doctor"])
            #expect(fresh.status == 0, "\(fresh.transcript)")
            #expect(lines(fresh).contains { $0.hasPrefix("✓ ledger bulkgrant.sqlite writable: will be created in ") })
            #expect(!FileManager.default.fileExists(atPath: cli.defaultLedger))
            #expect(!FileManager.default.fileExists(atPath: cli.defaultLedger + ".lock"))

            try await writeLedger(cli.defaultLedger, server: server, users: [("ada@acme.example", "grant-1")])
            let before = try Data(contentsOf: URL(fileURLWithPath: cli.defaultLedger))
            let existing = try await cli.run(["doctor"])
            #expect(existing.status == 0, "\(existing.transcript)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: cli.defaultLedger)) == before)
        }
    }

    @Test func aCredentialIDNeedsAProvider() async throws {
        try await withCLI { cli, _, _ in
            let output = try await cli.run(["doctor", "--credential-id", Seed.google])
            #expect(output.status == 2)
            #expect(output.stderr.contains("--credential-id needs --provider google or --provider microsoft"))
        }
    }
}

/// The UTC day a credential list prints for a time.
enum GrantTextForTests {
    static func day(_ seconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
