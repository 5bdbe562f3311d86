import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

/// `credentials rotate google` over the sandbox, whose Workspace knows which key ids Google
/// accepts: a rotation keeps every grant, a key of another account is refused before any call,
/// a key Google does not accept fails the proof with the rollback line, and an interrupted
/// rotation run again ends where an uninterrupted one does.
@Suite("bulkgrant credentials rotate google", .serialized)
struct CredentialsRotateGoogleTests {
    static let calendar = "https://www.googleapis.com/auth/calendar"
    static let oldKey = "0a1b2c3d4e5f"
    static let newKey = "9f8e7d6c5b4a"

    /// A Google credential created with the old key (so the ledger knows it), and `users`
    /// granted with it by a nightly run.
    struct Setup {
        var id: String
        var oldKeyFile: String
        var newKeyFile: String
        var runArguments: [String]
    }

    static func setUp(_ cli: CLI, server: SandboxServer, users: Int) async throws -> Setup {
        var tenant = SandboxTenant()
        tenant.google.acceptedKeyIDs = [oldKey]
        await server.state.setTenant(tenant)
        let oldKeyFile = try GoogleKeyFixture.write(GoogleKeyFixture.json(), to: cli.directory)
        let newKeyFile = try GoogleKeyFixture.write(
            GoogleKeyFixture.json { $0["private_key_id"] = newKey }, to: cli.directory, name: "new-key.json")
        let created = try await cli.run(["credentials", "create", "google", "--name", "Sync", "--key-file", oldKeyFile])
        #expect(created.status == 0, "\(created.transcript)")
        let id = String(try #require(created.stdout.firstMatch(of: /created google credential ([0-9a-f-]{36})/)?.output.1))
        let export = try FirstNightTests.export(FirstNightTests.users(users), in: cli.directory)
        let runArguments = [
            "run", export, "--provider", "google", "--credential-id", id, "--scope", calendar, "--rate", "1000", "--json",
        ]
        if users > 0 {
            let night = try await cli.run(runArguments)
            #expect(night.status == 0, "\(night.stderr.suffix(1500))")
        }
        return Setup(id: id, oldKeyFile: oldKeyFile, newKeyFile: newKeyFile, runArguments: runArguments)
    }

    static func grantIDs(_ path: String) async throws -> [String: String] {
        let ledger = try Ledger.openReadOnly(path: path, logger: quietLogger)
        defer { try? ledger.close() }
        var ids: [String: String] = [:]
        for record in try await ledger.records() { ids[record.email] = record.grantID }
        return ids
    }

    static func facts(_ path: String, _ id: String) async throws -> CredentialFacts? {
        let ledger = try Ledger.openReadOnly(path: path, logger: quietLogger)
        defer { try? ledger.close() }
        return try await ledger.credentialFacts(id: id)
    }

    static func totalCalls(_ stats: SandboxStats) -> Int { stats.calls.reduce(0) { $0 + $1.count } }

    @Test("500 granted users: the key changes in place; 0 new grants, 1 re-authentication (the proof), grant ids unchanged; the next night makes 0 calls")
    func rotationKeepsEveryGrant() async throws {
        try await withCLI { cli, server, _ in
            let setup = try await Self.setUp(cli, server: server, users: 500)
            let before = await server.state.stats()
            #expect(before.creationsByEmail.count == 500)
            let grantsBefore = try await Self.grantIDs(cli.defaultLedger)
            #expect(grantsBefore.count == 500 && grantsBefore.values.allSatisfy { !$0.isEmpty })

            // The admin made a new key: Google accepts both until the old one is deleted.
            var tenant = await server.state.tenant()
            tenant.google.acceptedKeyIDs = [Self.oldKey, Self.newKey]
            await server.state.setTenant(tenant)
            let rotated = try await cli.run(
                ["credentials", "rotate", "google", "--credential-id", setup.id, "--key-file", setup.newKeyFile])
            #expect(rotated.status == 0, "\(rotated.transcript)")
            #expect(rotated.stdout.contains("it now holds private_key_id \(Self.newKey) of \(GoogleKeyFixture.clientEmail)"), "\(rotated.stdout)")
            #expect(rotated.stdout.contains("✓ proof: custom authentication of "), "\(rotated.stdout)")
            #expect(rotated.stdout.contains("no grant was made again"))
            #expect(rotated.stdout.contains("old key: private_key_id \(Self.oldKey) (recorded by bulkgrant 20"), "\(rotated.stdout)")
            #expect(rotated.stdout.contains("from \(setup.oldKeyFile)): delete it in the Google Cloud console"))
            #expect(!GoogleKeyFixture.leaks(rotated.all))

            let after = await server.state.stats()
            #expect(after.creationsByEmail == before.creationsByEmail, "no grant made again")
            #expect(after.reauthsByEmail.values.reduce(0, +) == 1, "the proof only: \(after.reauthsByEmail)")
            #expect(after.count("PATCH", "/v3/connectors/{provider}/creds/{id}", status: 200) == 1)
            #expect(await server.state.credentialData(provider: .google, id: setup.id)?["private_key_id"] == Self.newKey)
            #expect(try await Self.grantIDs(cli.defaultLedger) == grantsBefore)
            let facts = try #require(try await Self.facts(cli.defaultLedger, setup.id))
            #expect(facts.keyID == Self.newKey)
            #expect(facts.previousKeyID == Self.oldKey)
            #expect(facts.keySource == setup.newKeyFile)

            // The old key is deleted in Google Cloud; the next night has nothing to do.
            tenant.google.acceptedKeyIDs = [Self.newKey]
            await server.state.setTenant(tenant)
            let night = try await cli.run(setup.runArguments)
            #expect(night.status == 0, "\(night.transcript)")
            #expect(night.stdout.contains("\"api_calls\":0"), "\(night.stdout)")
            #expect(Self.totalCalls(await server.state.stats()) == Self.totalCalls(after))
        }
    }

    @Test("a key of another service account is refused before any call, naming both accounts")
    func anotherAccountIsRefused() async throws {
        try await withCLI { cli, server, _ in
            let setup = try await Self.setUp(cli, server: server, users: 0)
            let other = try GoogleKeyFixture.write(
                GoogleKeyFixture.json {
                    $0["client_email"] = "intruder@another-project.iam.gserviceaccount.com"
                    $0["private_key_id"] = "ffff0000"
                }, to: cli.directory, name: "other.json")
            let before = Self.totalCalls(await server.state.stats())
            let output = try await cli.run(
                ["credentials", "rotate", "google", "--credential-id", setup.id, "--key-file", other, "--canary", "ada@acme.example",
                 "--scope", Self.calendar])
            #expect(output.status == 2, "\(output.transcript)")
            #expect(output.stderr.contains("is a key of intruder@another-project.iam.gserviceaccount.com, but credential \(setup.id) is of \(GoogleKeyFixture.clientEmail)"), "\(output.stderr)")
            #expect(output.stderr.contains("--allow-other-account"))
            #expect(output.stderr.contains("nothing was sent"))
            #expect(Self.totalCalls(await server.state.stats()) == before, "no call at all")
            #expect(await server.state.credentialData(provider: .google, id: setup.id)?["private_key_id"] == Self.oldKey)
        }
    }

    @Test("a key Google does not accept: PATCH, then the proof fails with google.key_invalid, exit 3 and the rollback line, which works")
    func aKeyGoogleRefusesFailsTheProofAndRollsBack() async throws {
        try await withCLI { cli, server, _ in
            let setup = try await Self.setUp(cli, server: server, users: 20)
            let grantsBefore = try await Self.grantIDs(cli.defaultLedger)
            // The tenant accepts the old key only: the new one was deleted, or never registered.
            let rotated = try await cli.run(
                ["credentials", "rotate", "google", "--credential-id", setup.id, "--key-file", setup.newKeyFile])
            #expect(rotated.status == 3, "\(rotated.transcript)")
            #expect(rotated.stdout.contains("✗ proof: custom authentication of "), "\(rotated.stdout)")
            #expect(rotated.stdout.contains("google.key_invalid (every user would fail)"))
            #expect(rotated.stderr.contains("the proof failed: the credential now holds the new key"), "\(rotated.stderr)")
            let rollback = try #require(
                rotated.stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                    .first { $0.hasPrefix("bulkgrant credentials rotate google ") }, "\(rotated.stderr)")
            #expect(rollback.contains("--key-file \(setup.oldKeyFile) --credential-id \(setup.id)"), "\(rollback)")
            #expect(rollback.contains("--ledger \(cli.defaultLedger)"))
            #expect(rollback.contains("--api-uri \(server.baseURI)"))
            #expect(await server.state.stats().creationsByEmail.count == 20)

            // The line as printed puts the old key back, and the proof passes again.
            let words = rollback.split(separator: " ").map(String.init).dropFirst()
            let back = try await runBinary(Array(words), environment: ["NYLAS_API_KEY": cli.key], in: cli.directory)
            #expect(back.status == 0, "\(back.transcript)")
            #expect(back.stdout.contains("old key: private_key_id \(Self.newKey)"), "\(back.stdout)")
            #expect(await server.state.credentialData(provider: .google, id: setup.id)?["private_key_id"] == Self.oldKey)
            let stats = await server.state.stats()
            #expect(stats.creationsByEmail.count == 20 && stats.creationsByEmail.values.allSatisfy { $0 == 1 })
            #expect(try await Self.grantIDs(cli.defaultLedger) == grantsBefore)
            #expect(!GoogleKeyFixture.leaks(rotated.all + back.all))
        }
    }

    @Test("the update's answer is lost every time: exit 3, run it again; the rerun names the same old key, and a third run too")
    func anInterruptedRotationRunAgainIsSafe() async throws {
        try await withCLI { cli, server, _ in
            let setup = try await Self.setUp(cli, server: server, users: 10)
            var tenant = await server.state.tenant()
            tenant.google.acceptedKeyIDs = [Self.oldKey, Self.newKey]
            await server.state.setTenant(tenant)
            // The GET of the credential passes; each try of the PATCH is applied and its answer lost.
            await server.state.script([.pass] + Array(repeating: .resetAfterApply, count: 4), for: "/v3/connectors/{provider}/creds/{id}")
            let arguments = ["credentials", "rotate", "google", "--credential-id", setup.id, "--key-file", setup.newKeyFile]
            let cut = try await cli.run(arguments)
            #expect(cut.status == 3, "\(cut.transcript)")
            #expect(cut.stderr.contains("run the same command again, which is safe"), "\(cut.stderr)")
            #expect(await server.state.credentialData(provider: .google, id: setup.id)?["private_key_id"] == Self.newKey)
            #expect(try await Self.facts(cli.defaultLedger, setup.id)?.keyID == Self.oldKey, "not recorded: no answer came")

            for _ in 0..<2 {
                let again = try await cli.run(arguments)
                #expect(again.status == 0, "\(again.transcript)")
                #expect(again.stdout.contains("old key: private_key_id \(Self.oldKey)"), "\(again.stdout)")
            }
            let facts = try #require(try await Self.facts(cli.defaultLedger, setup.id))
            #expect(facts.keyID == Self.newKey && facts.previousKeyID == Self.oldKey)
            #expect(await server.state.stats().creationsByEmail.count == 10)
        }
    }

    @Test("the granted users refused for causes of their own: 3 are tried, then exit 3 saying the proof was inconclusive")
    func aProofRefusedForTheUsersOwnCauseIsInconclusive() async throws {
        try await withCLI { cli, server, _ in
            let setup = try await Self.setUp(cli, server: server, users: 5)
            var tenant = await server.state.tenant()
            tenant.google.acceptedKeyIDs = [Self.oldKey, Self.newKey]
            for email in FirstNightTests.users(5) { tenant.google.users[email] = .suspended }
            await server.state.setTenant(tenant)
            let output = try await cli.run(
                ["credentials", "rotate", "google", "--credential-id", setup.id, "--key-file", setup.newKeyFile])
            #expect(output.status == 3, "\(output.transcript)")
            #expect(output.stdout.contains("google.user_not_found (this user only)"), "\(output.stdout)")
            #expect(output.stderr.contains("the proof was inconclusive"), "\(output.stderr)")
            #expect(output.stderr.contains("--canary EMAIL of an active user"))
            #expect(output.stderr.contains("bulkgrant credentials rotate google --key-file \(setup.oldKeyFile)"))
            // The night's 5 grants, then 3 users tried by the proof.
            #expect(await server.state.stats().count("POST", "/v3/connect/custom") == 5 + 3)
        }
    }

    @Test("no user granted with the credential and no --canary: exit 2 before any call")
    func noUserToProveWith() async throws {
        try await withCLI { cli, server, _ in
            let setup = try await Self.setUp(cli, server: server, users: 0)
            let before = Self.totalCalls(await server.state.stats())
            let output = try await cli.run(
                ["credentials", "rotate", "google", "--credential-id", setup.id, "--key-file", setup.newKeyFile])
            #expect(output.status == 2, "\(output.transcript)")
            #expect(output.stderr.contains("pass --canary EMAIL"), "\(output.stderr)")
            #expect(Self.totalCalls(await server.state.stats()) == before)
        }
    }
}

