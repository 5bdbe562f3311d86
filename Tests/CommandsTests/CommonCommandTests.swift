import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

@Suite("What every inspection command shares")
struct CommonCommandTests {
    static let commands: [[String]] = [
        ["grants", "list"],
        ["grants", "show", "some-grant"],
        ["grants", "delete", "some-grant", "--yes"],
        ["connectors", "list"],
        ["connectors", "show", "google"],
        ["connectors", "create", "google", "--client-id", "abc"],
    ]

    @Test(arguments: commands)
    func aRefusedKeyExits3NamingTheRequestID(command: [String]) async throws {
        try await withCLI { cli, server, _ in
            let output = try await cli.run(
                command, key: "wrong-key", environment: ["NYLAS_CONNECTOR_CLIENT_SECRET": "a-client-secret"])
            #expect(output.status == 3, "\(output.stderr)")
            #expect(output.stderr.contains("HTTP 401 api.authentication_error"), "\(output.stderr)")
            #expect(namesRequestID(output.stderr))
            #expect(output.stderr.contains("NYLAS_API_KEY"))
            #expect(!output.stderr.contains("wrong-key"))
            // Refused once, not retried.
            #expect(await server.state.stats().calls.filter { $0.status == 401 }.map(\.count) == [1])
        }
    }

    @Test func noAPIKeyExits2BeforeAnyCall() async throws {
        let directory = FileManager.default.temporaryDirectory.path
        let output = try await runBinary(["grants", "list", "--api-uri", "http://127.0.0.1:9"], in: directory)
        #expect(output.status == 2)
        #expect(output.stderr.contains("no API key"), "\(output.stderr)")
    }

    /// A plain build names no commit (it never runs git); scripts/release.sh checks that its
    /// stamped binary names the one it was built from.
    @Test func versionPrintsTheVersionAndCommit() async throws {
        let output = try await runBinary(["--version"], in: FileManager.default.temporaryDirectory.path)
        #expect(output.status == 0)
        #expect(output.stdout == "\(BulkgrantVersion.current) (commit unknown)\n")
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsKnowTheNewCommands(shell: String) async throws {
        let output = try await runBinary(
            ["--generate-completion-script", shell], in: FileManager.default.temporaryDirectory.path)
        #expect(output.status == 0)
        for word in ["grants", "connectors", "delete", "client-secret-file", "since"] {
            #expect(output.stdout.contains(word), "\(shell) script lacks \(word)")
        }
    }
}
