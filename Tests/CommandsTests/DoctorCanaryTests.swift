import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

/// `doctor --canary`: one real custom authentication, named through the failure catalogue.
@Suite("bulkgrant doctor --canary")
struct DoctorCanaryTests {
    static let scope = "https://www.googleapis.com/auth/calendar"

    @Test("a working delegation: ✓ with the grant, one authentication, nothing created twice on a second check")
    func delegationWorks() async throws {
        try await withCLI { cli, server, _ in
            let arguments = [
                "doctor", "--provider", "google", "--credential-id", Seed.google, "--canary", "it@acme.example",
                "--scope", Self.scope,
            ]
            let first = try await cli.run(arguments)
            #expect(first.status == 0, "\(first.transcript)")
            #expect(first.stdout.contains("✓ custom authentication of it@acme.example: granted (grant "), "\(first.stdout)")
            _ = try await cli.run(arguments)
            let stats = await server.state.stats()
            #expect(stats.creationsByEmail == ["it@acme.example": 1])
            #expect(stats.reauthsByEmail == ["it@acme.example": 1], "the second check re-authenticates the same grant")
        }
    }

    @Test("delegation missing for the scope: ✗ with the cause, its reach and the entry to paste")
    func delegationMissing() async throws {
        try await withCLI({ $0.tenant.google.delegatedScopes = []; $0.envelope = .gateway }) { cli, _, _ in
            let output = try await cli.run([
                "doctor", "--provider", "google", "--credential-id", Seed.google, "--canary", "it@acme.example",
                "--scope", Self.scope,
            ])
            #expect(output.status == 1)
            let line = try #require(output.stdout.split(separator: "\n").first { $0.hasPrefix("✗ custom authentication") })
            #expect(line.contains("google.delegation_missing (every user would fail)"), "\(line)")
            #expect(line.contains("Manage domain-wide delegation") && line.contains(Self.scope))
        }
    }

    @Test("a user the Workspace does not know: ✗ for this user only")
    func unknownUser() async throws {
        try await withCLI({ $0.tenant.google.users["ghost@acme.example"] = .unknown }) { cli, _, _ in
            let output = try await cli.run([
                "doctor", "--provider", "google", "--credential-id", Seed.google, "--canary", "ghost@acme.example",
                "--scope", Self.scope,
            ])
            #expect(output.status == 1)
            #expect(output.stdout.contains("google.user_not_found (this user only)"), "\(output.stdout)")
        }
    }

    @Test("--canary needs a credential and, for Google, the run's scopes")
    func usage() async throws {
        try await withCLI { cli, _, _ in
            #expect(try await cli.run(["doctor", "--canary", "it@acme.example"]).stderr.contains("--canary needs --provider and --credential-id"))
            let noScope = try await cli.run(["doctor", "--provider", "google", "--credential-id", Seed.google, "--canary", "it@acme.example"])
            #expect(noScope.status == 2 || noScope.status == 64)
            #expect(noScope.stderr.contains("--scope"))
        }
    }
}
