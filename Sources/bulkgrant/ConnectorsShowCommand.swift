import ArgumentParser
import Foundation
import NylasAPI

/// `bulkgrant connectors show P`.
struct ConnectorsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the connector of one provider.",
        discussion: """
            Exits 1 when the application has no connector for the provider: create one with \
            `bulkgrant connectors create`.

            Examples:
              bulkgrant connectors show google
              bulkgrant connectors show microsoft --json
            """)

    @Argument(help: "google or microsoft.")
    var provider: Provider

    @Flag(help: "Print the connector as JSON, as Nylas returns it (secrets masked).")
    var json = false

    @OptionGroup(title: "API")
    var api: APIOptions

    func run() async throws {
        let configuration = try AdminCall.configuration(api)
        let connector = try await AdminCall.run(configuration) { client in
            try await Retrying.idempotent { try await client.getConnector(provider: provider) }.data
        }
        Stdout.write(json ? JSONLine.encode(ConnectorText.masked(connector)) + "\n" : ConnectorText.details(connector))
    }
}
