import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

@Suite("bulkgrant credentials create microsoft")
struct CredentialsCommandMicrosoftTests {
    static let clientID = "2f70abcd-1234-4f5e-9a8b-0c1d2e3f4a5b"
    static let secret = "Xy7~Q8s.azure-s3cr3t-VALUE_0123456789abcd"

    func create(_ cli: CLI, name: String = "M365 sync", extra: [String] = [], environment: [String: String] = [:])
        async throws -> Output
    {
        try await cli.run(
            ["credentials", "create", "microsoft", "--name", name, "--client-id", Self.clientID, "--tenant", "common"] + extra,
            environment: environment)
    }

    @Test func theSecretFromAFileCreatesTheCredentialAndIsNeverPrinted() async throws {
        try await withCLI { cli, server, client in
            let file = cli.directory + "/azure-secret.txt"
            try (Self.secret + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let output = try await create(cli, extra: ["--client-secret-file", file])
            #expect(output.status == 0, "\(output.transcript)")
            let id = try #require(output.stdout.firstMatch(of: /created microsoft credential ([0-9a-f-]{36})/)?.output.1)
            #expect(output.stdout.contains("for app \(Self.clientID), tenant common"))
            #expect(output.stdout.contains(
                "bulkgrant consent url --credential-id \(id) --client-id NYLAS_CLIENT_ID --redirect-uri "), "\(output.stdout)")
            #expect(output.stdout.contains("bulkgrant run hr-export.csv --provider microsoft --credential-id \(id)"))
            #expect(!output.all.contains(Self.secret))
            let stored = try await client.getCredential(provider: .microsoft, id: String(id))
            #expect(stored.credentialType == .adminConsent)
            #expect(await server.state.stats().count("POST", "/v3/connectors/{provider}/creds", status: 201) == 1)

            // The same secret from the environment, without the newline: Nylas re-uses a
            // credential whose data is identical, so the same id back shows the newline was
            // trimmed and the same secret sent.
            let fromEnvironment = try await create(cli, environment: ["NYLAS_MS_CLIENT_SECRET": Self.secret])
            #expect(fromEnvironment.status == 0, "\(fromEnvironment.transcript)")
            #expect(fromEnvironment.stdout.contains("created microsoft credential \(id)"))
            #expect(!fromEnvironment.all.contains(Self.secret))
        }
    }

    @Test func theSecretFromTheEnvironmentWorksAndIsNeverPrinted() async throws {
        try await withCLI { cli, _, client in
            let output = try await create(cli, name: "from env", extra: ["--json"], environment: ["NYLAS_MS_CLIENT_SECRET": Self.secret])
            #expect(output.status == 0, "\(output.transcript)")
            #expect(!output.all.contains(Self.secret))
            struct Answer: Decodable {
                var credential: Credential
                var next: [String]
            }
            let answer = try JSONDecoder().decode(Answer.self, from: output.stdoutData)
            #expect(answer.credential.credentialType == .adminConsent)
            #expect(answer.next.count == 3)
            #expect(try await client.getCredential(provider: .microsoft, id: answer.credential.id).name == "from env")
        }
    }

    @Test func aMissingSecretExits2AndSendsNothing() async throws {
        try await withCLI { cli, server, _ in
            let output = try await create(cli)
            #expect(output.status == 2, "\(output.transcript)")
            #expect(output.stderr.contains(
                "no client secret: pass --client-secret-file FILE or set NYLAS_MS_CLIENT_SECRET"), "\(output.stderr)")
            let absent = try await create(cli, extra: ["--client-secret-file", "absent.txt"])
            #expect(absent.status == 2)
            #expect(absent.stderr.contains("the client secret file absent.txt does not exist"))
            #expect(await server.state.stats().count("POST", "/v3/connectors/{provider}/creds") == 0)
        }
    }

    @Test func aWhitespaceOnlySecretFileExits2() async throws {
        try await withCLI { cli, server, _ in
            let file = cli.directory + "/blank.txt"
            try " \n\t\n".write(toFile: file, atomically: true, encoding: .utf8)
            let output = try await create(cli, extra: ["--client-secret-file", file])
            #expect(output.status == 2)
            #expect(output.stderr.contains("the client secret file \(file) is empty"), "\(output.stderr)")
            #expect(await server.state.stats().count("POST", "/v3/connectors/{provider}/creds") == 0)
        }
    }

    @Test func aClientIDThatIsNotAGUIDExits2SayingWhereToFindIt() async throws {
        try await withCLI { cli, _, _ in
            let output = try await cli.run(
                ["credentials", "create", "microsoft", "--name", "n", "--client-id", "my-app", "--tenant", "common"],
                environment: ["NYLAS_MS_CLIENT_SECRET": Self.secret])
            #expect(output.status == 2)
            #expect(output.stderr.contains("--client-id \"my-app\" is not an Azure application (client) id"), "\(output.stderr)")
            #expect(output.stderr.contains("App registrations → your app → Overview"))
        }
    }

    @Test(arguments: ["organizations", "consumers", "not a tenant"])
    func aTenantThatIsNotCommonAnIDOrADomainExits2(_ tenant: String) async throws {
        try await withCLI { cli, _, _ in
            let output = try await cli.run(
                ["credentials", "create", "microsoft", "--name", "n", "--client-id", Self.clientID, "--tenant", tenant],
                environment: ["NYLAS_MS_CLIENT_SECRET": Self.secret])
            #expect(output.status == 2)
            #expect(output.stderr.contains("--tenant \"\(tenant)\" cannot be used"), "\(output.stderr)")
        }
    }

    @Test func aTenantIDOrDomainIsAccepted() async throws {
        try await withCLI { cli, _, _ in
            for (index, tenant) in ["contoso.onmicrosoft.com", "72F988BF-86F1-41AF-91AB-2D7CD011DB47"].enumerated() {
                let output = try await cli.run(
                    ["credentials", "create", "microsoft", "--name", "t\(index)", "--client-id", Self.clientID, "--tenant", tenant],
                    environment: ["NYLAS_MS_CLIENT_SECRET": Self.secret])
                #expect(output.status == 0, "\(output.transcript)")
                #expect(output.stdout.contains("tenant \(tenant.lowercased())"))
            }
        }
    }
}
