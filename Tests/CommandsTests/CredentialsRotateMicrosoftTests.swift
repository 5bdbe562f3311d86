import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

/// `credentials rotate microsoft`, and Microsoft credentials that use the connector's Azure app.
@Suite("bulkgrant credentials rotate microsoft", .serialized)
struct CredentialsRotateMicrosoftTests {
    static let appID = "2f70abcd-1234-4f5e-9a8b-0c1d2e3f4a5b"
    static let oldSecret = "Old~secret.Value-0123456789abcdefghij"
    static let newSecret = "New~secret.Value-9876543210zyxwvutsrq"
    static let wrongSecret = "Wrong~secret.Value-00000000000000000"

    static func secretFile(_ value: String, in directory: String, name: String) throws -> String {
        let path = directory + "/" + name
        try (value + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func leaks(_ text: String) -> Bool {
        [oldSecret, newSecret, wrongSecret].contains { text.contains($0) }
    }

    @Test("a secret the app does not have fails the proof (exit 3, the rollback line, which works); the app's new secret rotates with 0 new grants")
    func secretRotation() async throws {
        try await withCLI({ $0.tenant.microsoft.acceptedSecrets = [Self.oldSecret] }) { cli, server, _ in
            let oldFile = try Self.secretFile(Self.oldSecret, in: cli.directory, name: "old-secret.txt")
            let created = try await cli.run([
                "credentials", "create", "microsoft", "--name", "M365", "--client-id", Self.appID, "--tenant", "common",
                "--client-secret-file", oldFile,
            ])
            #expect(created.status == 0, "\(created.transcript)")
            let id = String(try #require(created.stdout.firstMatch(of: /created microsoft credential ([0-9a-f-]{36})/)?.output.1))
            let export = try FirstNightTests.export(FirstNightTests.users(50), in: cli.directory)
            let night = try await cli.run(["run", export, "--provider", "microsoft", "--credential-id", id, "--rate", "1000"])
            #expect(night.status == 0, "\(night.stderr.suffix(1500))")
            let grantsBefore = try await CredentialsRotateGoogleTests.grantIDs(cli.defaultLedger)

            let wrongFile = try Self.secretFile(Self.wrongSecret, in: cli.directory, name: "wrong-secret.txt")
            let wrong = try await cli.run(
                ["credentials", "rotate", "microsoft", "--credential-id", id, "--client-secret-file", wrongFile])
            #expect(wrong.status == 3, "\(wrong.transcript)")
            #expect(wrong.stdout.contains("microsoft.secret_invalid (every user would fail)"), "\(wrong.stdout)")
            let rollback = try #require(
                wrong.stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                    .first { $0.hasPrefix("bulkgrant credentials rotate microsoft ") }, "\(wrong.stderr)")
            #expect(rollback.hasPrefix("bulkgrant credentials rotate microsoft --client-secret-file \(oldFile) --credential-id \(id)"), "\(rollback)")
            // PATCH replaced credential_data whole: the app and tenant were sent again.
            #expect(await server.state.credentialData(provider: .microsoft, id: id)
                == ["client_id": Self.appID, "client_secret": Self.wrongSecret, "tenant": "common"])

            let back = try await runBinary(
                Array(rollback.split(separator: " ").map(String.init).dropFirst()), environment: ["NYLAS_API_KEY": cli.key],
                in: cli.directory)
            #expect(back.status == 0, "\(back.transcript)")
            #expect(await server.state.credentialData(provider: .microsoft, id: id)?["client_secret"] == Self.oldSecret)

            // The admin adds a new secret to the app; the rotation keeps every grant.
            await server.state.setTenant({ var t = SandboxTenant(); t.microsoft.acceptedSecrets = [Self.oldSecret, Self.newSecret]; return t }())
            let newFile = try Self.secretFile(Self.newSecret, in: cli.directory, name: "new-secret.txt")
            let rotated = try await cli.run(
                ["credentials", "rotate", "microsoft", "--credential-id", id, "--client-secret-file", newFile, "--json"])
            #expect(rotated.status == 0, "\(rotated.transcript)")
            struct Answer: Decodable {
                struct Proof: Decodable { var passed: Bool }
                struct Previous: Decodable { var source: String? }
                var credential: Credential
                var proof: Proof
                var previous_key: Previous?
                var rollback: String?
            }
            let answer = try JSONDecoder().decode(Answer.self, from: rotated.stdoutData)
            #expect(answer.proof.passed)
            #expect(answer.rollback == nil)
            #expect(answer.previous_key?.source == oldFile)
            let stats = await server.state.stats()
            #expect(stats.creationsByEmail.count == 50 && stats.creationsByEmail.values.allSatisfy { $0 == 1 })
            #expect(stats.reauthsByEmail.values.reduce(0, +) == 2, "the rollback's proof and this one: \(stats.reauthsByEmail)")
            #expect(try await CredentialsRotateGoogleTests.grantIDs(cli.defaultLedger) == grantsBefore)
            #expect(!Self.leaks(created.all + wrong.all + back.all + rotated.all))
        }
    }

    @Test("created without a client id and secret: says it uses the connector's Azure app, holds only the tenant, and grants users end to end")
    func connectorAppCredential() async throws {
        try await withCLI { cli, server, _ in
            let created = try await cli.run(
                ["credentials", "create", "microsoft", "--name", "Via connector", "--tenant", "contoso.onmicrosoft.com"])
            #expect(created.status == 0, "\(created.transcript)")
            #expect(created.stdout.contains("for the Microsoft connector's Azure app (no client id and secret given: Nylas uses the connector's)"), "\(created.stdout)")
            let id = String(try #require(created.stdout.firstMatch(of: /created microsoft credential ([0-9a-f-]{36})/)?.output.1))
            #expect(await server.state.credentialData(provider: .microsoft, id: id) == ["tenant": "contoso.onmicrosoft.com"])

            let export = try FirstNightTests.export(FirstNightTests.users(30), in: cli.directory)
            let night = try await cli.run(["run", export, "--provider", "microsoft", "--credential-id", id, "--rate", "1000"])
            #expect(night.status == 0, "\(night.stderr.suffix(1500))")
            #expect(try await ledgerStates(cli.defaultLedger).values.filter { $0 == .granted }.count == 30)
            let doctor = try await cli.run(
                ["doctor", "--provider", "microsoft", "--credential-id", id, "--canary", "user0@acme.example"])
            #expect(doctor.status == 0, "\(doctor.transcript)")

            // It has no secret of its own to rotate.
            let file = try Self.secretFile(Self.newSecret, in: cli.directory, name: "s.txt")
            let rotate = try await cli.run(["credentials", "rotate", "microsoft", "--credential-id", id, "--client-secret-file", file])
            #expect(rotate.status == 2, "\(rotate.transcript)")
            #expect(rotate.stderr.contains("uses the Microsoft connector's Azure app"), "\(rotate.stderr)")
        }
    }

    @Test("a secret without --client-id is refused before any call")
    func secretWithoutClientID() async throws {
        try await withCLI { cli, server, _ in
            let output = try await cli.run(
                ["credentials", "create", "microsoft", "--name", "x", "--tenant", "common"],
                environment: ["NYLAS_MS_CLIENT_SECRET": Self.newSecret])
            #expect(output.status == 2, "\(output.transcript)")
            #expect(output.stderr.contains("a client secret was given ($NYLAS_MS_CLIENT_SECRET) but no --client-id"), "\(output.stderr)")
            #expect(await server.state.stats().calls.isEmpty)
            #expect(!Self.leaks(output.all))
        }
    }
}
