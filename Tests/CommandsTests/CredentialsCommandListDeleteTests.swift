import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

@Suite("bulkgrant credentials list and delete")
struct CredentialsCommandListDeleteTests {
    struct ListJSON: Decodable {
        var data: [Credential]
        var count: Int
    }

    @Test func listShowsTheProvidersCredentialsAsTextAndJSON() async throws {
        try await withCLI { cli, _, _ in
            let table = try await cli.run(["credentials", "list", "--provider", "google"])
            #expect(table.status == 0, "\(table.transcript)")
            let lines = table.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("ID ") == true)
            #expect(lines.contains { $0.hasPrefix(Seed.google) && $0.contains("serviceaccount") && $0.hasSuffix("seeded google") })
            #expect(lines.last == "1 google credential")
            let json = try await cli.run(["credentials", "list", "--provider", "microsoft", "--json"])
            let list = try JSONDecoder().decode(ListJSON.self, from: json.stdoutData)
            #expect(list.count == 1)
            #expect(list.data.map(\.id) == [Seed.microsoft])
            #expect(list.data.first?.credentialType == .adminConsent)
        }
    }

    @Test func listNeedsAProvider() async throws {
        try await withCLI { cli, _, _ in
            let output = try await cli.run(["credentials", "list"])
            #expect(output.status == 2)
            #expect(output.stderr.contains("--provider"))
        }
    }

    @Test func deleteWithoutYesIsRefusedWhenStdinIsNotATerminal() async throws {
        try await withCLI { cli, server, client in
            let output = try await cli.run(["credentials", "delete", "--provider", "google", Seed.google])
            #expect(output.status == 2)
            #expect(output.stderr.contains("standard input is not a terminal; pass --yes"), "\(output.stderr)")
            #expect(await server.state.stats().count("DELETE", "/v3/connectors/{provider}/creds/{id}") == 0)
            #expect(try await client.getCredential(provider: .google, id: Seed.google).id == Seed.google)
        }
    }

    @Test func deleteWithYesDeletesIt() async throws {
        try await withCLI { cli, _, client in
            let output = try await cli.run(["credentials", "delete", "--provider", "google", Seed.google, "--yes"])
            #expect(output.status == 0, "\(output.transcript)")
            #expect(output.stdout.contains("deleted google credential \(Seed.google)"))
            #expect(namesRequestID(output.stdout))
            #expect(try await client.listCredentials(provider: .google).data.isEmpty)
        }
    }

    @Test func aRetryAfterALostAnswerThatMeets404IsReportedAsDeleted() async throws {
        try await withCLI { cli, server, client in
            // The first try is applied and its answer lost; the retry finds nothing to delete.
            await server.state.script([.resetAfterApply], for: "/v3/connectors/{provider}/creds/{id}")
            let output = try await cli.run(["credentials", "delete", "--provider", "google", Seed.google, "--yes"])
            #expect(output.status == 0, "\(output.transcript)")
            #expect(output.stdout.contains(
                "deleted google credential \(Seed.google) (the first try's answer was lost; the retry found it gone)"), "\(output.stdout)")
            #expect(await server.state.stats().count("DELETE", "/v3/connectors/{provider}/creds/{id}", status: 404) == 1)
            #expect(try await client.listCredentials(provider: .google).data.isEmpty)
        }
    }

    @Test func listShowsWhenEachCredentialWasLastUpdated() async throws {
        try await withCLI { cli, _, _ in
            let table = try await cli.run(["credentials", "list", "--provider", "google"])
            let lines = table.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.contains("CREATED (UTC)     UPDATED (UTC)     NAME") == true, "\(table.stdout)")
        }
    }

    @Test func deleteOfAnUnknownCredentialExits1NamingTheRequestID() async throws {
        try await withCLI { cli, _, _ in
            let output = try await cli.run(["credentials", "delete", "--provider", "microsoft", "nope", "--yes"])
            #expect(output.status == 1)
            #expect(output.stderr.contains("HTTP 404 api.not_found_error"), "\(output.stderr)")
            #expect(namesRequestID(output.stderr))
        }
    }

    @Test(arguments: [("y", true), ("n", false)])
    func deleteAsksOnATerminal(_ answer: String, _ deletes: Bool) async throws {
        try await withCLI { cli, _, client in
            let terminal = try PseudoTerminal()
            defer { terminal.close() }
            terminal.type(answer + "\n")
            let output = try await cli.run(["credentials", "delete", "--provider", "google", Seed.google], stdin: terminal.slave)
            #expect(output.stderr.contains(
                "About to delete the google credential \"seeded google\" (\(Seed.google), serviceaccount)"), "\(output.stderr)")
            #expect(output.status == (deletes ? 0 : 1))
            #expect(try await client.listCredentials(provider: .google).data.isEmpty == deletes)
            if !deletes { #expect(output.stderr.contains("nothing deleted")) }
        }
    }
}
