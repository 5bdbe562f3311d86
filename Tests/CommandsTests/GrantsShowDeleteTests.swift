import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

@Suite("bulkgrant grants show and delete")
struct GrantsShowDeleteTests {
    @Test func showPrintsTheGrantAsTextAndAsJSON() async throws {
        try await withCLI { cli, server, _ in
            let grant = await server.state.seedGrant(provider: .microsoft, email: "alice@acme.example", status: "invalid")
            let text = try await cli.run(["grants", "show", grant.id])
            #expect(text.status == 0, "\(text.stderr)")
            for expected in [grant.id, "microsoft", "alice@acme.example", "invalid"] {
                #expect(text.stdout.contains(expected), "\(expected) in \(text.stdout)")
            }
            let json = try await cli.run(["grants", "show", grant.id, "--json"])
            #expect(json.status == 0)
            let decoded = try JSONDecoder().decode(Grant.self, from: Data(json.stdout.utf8))
            #expect(decoded.id == grant.id)
            #expect(decoded.email == "alice@acme.example")
            #expect(decoded.grantStatus == "invalid")
        }
    }

    @Test func showOfAnUnknownGrantExits1NamingTheRequestID() async throws {
        try await withCLI { cli, _, _ in
            let output = try await cli.run(["grants", "show", "no-such-grant"])
            #expect(output.status == 1)
            #expect(output.stderr.contains("HTTP 404 grant.not_found"), "\(output.stderr)")
            #expect(namesRequestID(output.stderr))
        }
    }

    @Test func deleteWithoutYesIsRefusedWhenStdinIsNotATerminal() async throws {
        try await withCLI { cli, server, _ in
            let grant = await server.state.seedGrant(provider: .google, email: "alice@acme.example")
            // `runBinary` gives the child /dev/null as standard input.
            let output = try await cli.run(["grants", "delete", grant.id])
            #expect(output.status == 2)
            #expect(output.stderr.contains("standard input is not a terminal"), "\(output.stderr)")
            #expect(output.stderr.contains("--yes"))
            let stats = await server.state.stats()
            #expect(stats.count("DELETE", "/v3/grants/{grantId}") == 0)
            #expect(await server.state.allGrants().map(\.id) == [grant.id])
        }
    }

    @Test func deleteWithYesDeletesTheGrantAndMarksTheLedgerUserRevoked() async throws {
        try await withCLI { cli, server, _ in
            let alice = await server.state.seedGrant(provider: .google, email: "alice@acme.example")
            let bob = await server.state.seedGrant(provider: .google, email: "bob@acme.example")
            try await writeLedger(
                cli.defaultLedger, server: server,
                users: [("alice@acme.example", alice.id), ("bob@acme.example", bob.id)])
            let output = try await cli.run(["grants", "delete", alice.id, "--yes"])
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.contains("deleted \(alice.id)"))
            #expect(output.stdout.contains("alice@acme.example revoked"))
            #expect(await server.state.stats().deletionsByEmail == ["alice@acme.example": 1])
            #expect(await server.state.allGrants().map(\.id) == [bob.id])
            let states = try await ledgerStates(cli.defaultLedger)
            #expect(states == ["alice@acme.example": .revoked, "bob@acme.example": .granted])
        }
    }

    @Test func aDeleteRefusedForTheKeyLeavesTheLedgerUserGranted() async throws {
        try await withCLI { cli, server, _ in
            let alice = await server.state.seedGrant(provider: .google, email: "alice@acme.example")
            try await writeLedger(cli.defaultLedger, server: server, users: [("alice@acme.example", alice.id)])
            let output = try await cli.run(["grants", "delete", alice.id, "--yes"], key: "wrong-key")
            #expect(output.status == 3)
            // Marked `revoking` before the DELETE left, then put back when nothing was deleted.
            #expect(try await ledgerStates(cli.defaultLedger) == ["alice@acme.example": .granted])
            #expect(await server.state.allGrants().map(\.id) == [alice.id])
        }
    }

    @Test func deleteOfSeveralIdsReportsTheUnknownOneAndExits1() async throws {
        try await withCLI { cli, server, _ in
            let alice = await server.state.seedGrant(provider: .google, email: "alice@acme.example")
            let output = try await cli.run(["grants", "delete", alice.id, "no-such-grant", "--yes", "--json"])
            #expect(output.status == 1)
            let json = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
            #expect(json?["deleted"] as? Int == 1)
            #expect(json?["failed"] as? Int == 1)
            let results = json?["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["id"] as? String } == [alice.id, "no-such-grant"])
            #expect((results.last?["error"] as? String)?.contains("grant.not_found") == true)
            #expect(await server.state.allGrants().isEmpty)
        }
    }

    @Test func deleteWhileARunHoldsTheLedgerStopsBeforeDeletingAnything() async throws {
        try await withCLI { cli, server, _ in
            let alice = await server.state.seedGrant(provider: .google, email: "alice@acme.example")
            try await writeLedger(cli.defaultLedger, server: server, users: [("alice@acme.example", alice.id)])
            let held = try Ledger.open(
                path: cli.defaultLedger, apiIdentity: try APIEndpoint(server.baseURI).identity, logger: quietLogger)
            defer { try? held.close() }
            let output = try await cli.run(["grants", "delete", alice.id, "--yes"])
            #expect(output.status == 3)
            #expect(output.stderr.contains("in use by"), "\(output.stderr)")
            #expect(await server.state.stats().count("DELETE", "/v3/grants/{grantId}") == 0)
        }
    }

    @Test(arguments: [("yes", true), ("n", false)])
    func anInteractiveDeleteShowsTheGrantAndActsOnTheAnswer(answer: String, deletes: Bool) async throws {
        try await withCLI { cli, server, _ in
            let alice = await server.state.seedGrant(provider: .google, email: "alice@acme.example")
            let terminal = try PseudoTerminal()
            defer { terminal.close() }
            terminal.type(answer + "\n")
            let output = try await cli.run(["grants", "delete", alice.id], stdin: terminal.slave)
            #expect(output.stderr.contains("About to delete 1 grant"), "\(output.stderr)")
            #expect(output.stderr.contains("alice@acme.example"))
            #expect(output.status == (deletes ? 0 : 1))
            #expect(await server.state.allGrants().isEmpty == deletes)
            if !deletes { #expect(output.stderr.contains("nothing deleted")) }
        }
    }
}
