import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

@Suite("bulkgrant connectors")
struct ConnectorsCommandTests {
    struct ListJSON: Decodable {
        var data: [Connector]
        var count: Int
    }

    @Test func listAndShowTheConnectors() async throws {
        try await withCLI { cli, _, _ in
            let table = try await cli.run(["connectors", "list"])
            #expect(table.status == 0, "\(table.stderr)")
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("google ") })
            #expect(lines.contains { $0.hasPrefix("microsoft ") })
            #expect(lines.last == "2 connectors")
            let json = try await cli.run(["connectors", "list", "--json"])
            let list = try JSONDecoder().decode(ListJSON.self, from: Data(json.stdout.utf8))
            #expect(list.count == 2)
            #expect(Set(list.data.map(\.provider)) == ["google", "microsoft"])

            let show = try await cli.run(["connectors", "show", "microsoft", "--json"])
            #expect(show.status == 0, "\(show.stderr)")
            #expect(try JSONDecoder().decode(Connector.self, from: Data(show.stdout.utf8)).provider == "microsoft")
            let text = try await cli.run(["connectors", "show", "google"])
            #expect(text.stdout.contains("provider    google"), "\(text.stdout)")
        }
    }

    @Test func showOfAMissingConnectorExits1NamingTheRequestID() async throws {
        try await withCLI({ $0.connectors = [.google] }) { cli, _, _ in
            let output = try await cli.run(["connectors", "show", "microsoft"])
            #expect(output.status == 1)
            #expect(output.stderr.contains("HTTP 404 api.not_found_error"), "\(output.stderr)")
            #expect(namesRequestID(output.stderr))
        }
    }

    @Test func createMakesTheConnectorWithTheSecretFromAFileAndNeverPrintsIt() async throws {
        try await withCLI({ $0.connectors = [] }) { cli, server, client in
            let secretFile = cli.directory + "/secret.txt"
            try "gcp-s3cr3t-value\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
            let scopes = ["https://www.googleapis.com/auth/calendar", "https://www.googleapis.com/auth/gmail.readonly"]
            let output = try await cli.run(
                ["connectors", "create", "google", "--client-id", "1234.apps.googleusercontent.com",
                 "--client-secret-file", secretFile, "--scope", scopes[0], "--scope", scopes[1], "--json"])
            #expect(output.status == 0, "\(output.stderr)")
            let created = try JSONDecoder().decode(Connector.self, from: Data(output.stdout.utf8))
            #expect(created.provider == "google")
            #expect(created.scope == scopes)
            #expect(!output.all.contains("gcp-s3cr3t-value"))
            #expect(await server.state.stats().count("POST", "/v3/connectors", status: 201) == 1)
            #expect(try await client.getConnector(provider: .google).data.scope == scopes)
        }
    }

    @Test func createTakesTheSecretFromTheEnvironment() async throws {
        try await withCLI({ $0.connectors = [.google] }) { cli, _, client in
            let output = try await cli.run(
                ["connectors", "create", "microsoft", "--client-id", "2f70abcd", "--tenant", "common"],
                environment: ["NYLAS_CONNECTOR_CLIENT_SECRET": "azure-s3cr3t"])
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.contains("created the microsoft connector"))
            #expect(!output.all.contains("azure-s3cr3t"))
            let connector = try await client.getConnector(provider: .microsoft).data
            #expect(connector.settings?["tenant"]?.stringValue == "common")
        }
    }

    @Test func createOfAnExistingConnectorExits1NamingTheRequestID() async throws {
        try await withCLI { cli, _, _ in
            let output = try await cli.run(
                ["connectors", "create", "google", "--client-id", "abc"],
                environment: ["NYLAS_CONNECTOR_CLIENT_SECRET": "a-client-secret"])
            #expect(output.status == 1)
            #expect(output.stderr.contains("already exists"), "\(output.stderr)")
            #expect(namesRequestID(output.stderr))
        }
    }

    @Test func anErrorThatEchoesTheSecretIsPrintedWithTheSecretRedacted() async throws {
        try await withCLI({ $0.connectors = [] }) { cli, server, _ in
            let secret = "echoed-client-secret-123"
            let body = #"{"request_id":"9b2f1c3e-0000-4000-8000-000000000001","error":{"type":"api.invalid_request_error","message":"bad client_secret \#(secret)"}}"#
            await server.state.script(
                [.raw(status: 400, contentType: "application/json", body: body)], for: "/v3/connectors")
            let output = try await cli.run(
                ["connectors", "create", "google", "--client-id", "abc"],
                environment: ["NYLAS_CONNECTOR_CLIENT_SECRET": secret])
            #expect(output.status == 1)
            #expect(output.stderr.contains("bad client_secret [redacted]"), "\(output.stderr)")
            #expect(!output.all.contains(secret))
        }
    }

    @Test func createWithAMissingSecretFileExits2NamingTheFile() async throws {
        try await withCLI({ $0.connectors = [] }) { cli, server, _ in
            let missing = cli.directory + "/no-such-secret.txt"
            let output = try await cli.run(
                ["connectors", "create", "google", "--client-id", "abc", "--client-secret-file", missing],
                environment: ["NYLAS_CONNECTOR_CLIENT_SECRET": "not-used-when-a-file-is-named"])
            #expect(output.status == 2)
            #expect(output.stderr.contains(missing), "\(output.stderr)")
            #expect(await server.state.stats().count("POST", "/v3/connectors") == 0)
        }
    }

    @Test func createWithoutAnySecretExits2() async throws {
        try await withCLI({ $0.connectors = [] }) { cli, server, _ in
            let output = try await cli.run(["connectors", "create", "google", "--client-id", "abc"])
            #expect(output.status == 2)
            #expect(output.stderr.contains("NYLAS_CONNECTOR_CLIENT_SECRET"), "\(output.stderr)")
            #expect(await server.state.stats().count("POST", "/v3/connectors") == 0)
        }
    }
}
