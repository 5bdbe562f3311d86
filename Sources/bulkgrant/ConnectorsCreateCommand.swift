import ArgumentParser
import Foundation
import NylasAPI

/// `bulkgrant connectors create google|microsoft`: Create Connector, for an application that
/// has none for the provider. The client secret comes from a file or the environment, never
/// from a flag value (which `ps` and shell history would show).
struct ConnectorsCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create the connector of a provider, for an application that has none.",
        discussion: """
            The OAuth client secret is read from --client-secret-file, else from \
            $NYLAS_CONNECTOR_CLIENT_SECRET; it is never printed. Exits 1 when the API refuses \
            (for example, the application already has a connector for the provider).

            Examples:
              bulkgrant connectors create google --client-id 1234.apps.googleusercontent.com \\
                --client-secret-file gcp-secret.txt --scope https://www.googleapis.com/auth/calendar
              NYLAS_CONNECTOR_CLIENT_SECRET=... bulkgrant connectors create microsoft \\
                --client-id 2f70abcd-... --tenant common --scope Calendars.ReadWrite
            """)

    static let secretVariable = "NYLAS_CONNECTOR_CLIENT_SECRET"

    @Argument(help: "google or microsoft.")
    var provider: Provider

    @Option(name: .customLong("client-id"), help: "The OAuth client id of the GCP or Azure app.")
    var clientID: String

    @Option(
        name: .customLong("client-secret-file"),
        help: "File holding the app's client secret (default: $NYLAS_CONNECTOR_CLIENT_SECRET).")
    var clientSecretFile: String?

    @Option(help: "Microsoft only: the tenant id, or common.")
    var tenant: String?

    @Option(name: .customLong("scope"), help: "A default scope of the connector (repeat for several).")
    var scopes: [String] = []

    @Flag(help: "Print the created connector as JSON.")
    var json = false

    @OptionGroup(title: "API")
    var api: APIOptions

    func validate() throws {
        guard !clientID.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--client-id must not be empty")
        }
        if tenant != nil && provider != .microsoft { throw ValidationError("--tenant is for Microsoft connectors only") }
    }

    func run() async throws {
        let secret = try clientSecret()
        let request = CreateConnectorRequest(
            provider: provider,
            settings: .init(clientId: clientID.trimmingCharacters(in: .whitespaces), clientSecret: secret, tenant: tenant),
            scope: scopes.isEmpty ? nil : scopes)
        let configuration = try AdminCall.configuration(api)
        let answer = try await AdminCall.run(
            configuration, redacting: [secret], context: DiagnosisContext(provider: provider)
        ) { client in
            // Not retried: a create whose answer was lost must be checked with `connectors show`.
            try await client.createConnector(request)
        }
        let connector = ConnectorText.masked(answer.data)
        if json {
            Stdout.write(JSONLine.encode(connector) + "\n")
        } else {
            Stdout.write(
                "created the \(connector.provider) connector\(answer.requestId.map { " [request_id \($0)]" } ?? "")\n"
                    + ConnectorText.details(connector))
        }
    }

    /// The secret from the file, else the environment; a missing or empty one exits 2.
    private func clientSecret() throws -> String {
        let text: String
        if let file = clientSecretFile {
            guard FileManager.default.fileExists(atPath: file) else {
                Console.error("the client secret file \(file) does not exist: check the path")
                throw Exit.input
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                Console.error("cannot read the client secret file \(file): check its permissions")
                throw Exit.input
            }
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = ProcessInfo.processInfo.environment[Self.secretVariable] ?? ""
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else {
            Console.error(
                clientSecretFile.map { "the client secret file \($0) is empty: put the app's client secret in it" }
                    ?? "no client secret: pass --client-secret-file FILE or set \(Self.secretVariable)")
            throw Exit.input
        }
        return secret
    }
}
