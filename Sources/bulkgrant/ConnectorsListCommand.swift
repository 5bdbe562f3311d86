import ArgumentParser
import Foundation
import NylasAPI

/// `bulkgrant connectors list`.
struct ConnectorsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the application's connectors.",
        discussion: """
            Examples:
              bulkgrant connectors list
              bulkgrant connectors list --json
            """)

    @Flag(help: "Print {\"data\": [connector, …], \"count\": N}.")
    var json = false

    @OptionGroup(title: "API")
    var api: APIOptions

    func run() async throws {
        let configuration = try AdminCall.configuration(api)
        let connectors = try await AdminCall.run(configuration) { client in
            var all: [Connector] = []
            var offset = 0
            while true {
                let page = try await Retrying.idempotent { try await client.listConnectors(limit: 50, offset: offset) }
                all += page.data
                offset += page.data.count
                if page.data.count < 50 { break }
            }
            return all.map(ConnectorText.masked)
        }
        if json {
            Stdout.write("{\"data\":[" + connectors.map(JSONLine.encode).joined(separator: ",") + "],\"count\":\(connectors.count)}\n")
            return
        }
        var text = row(["PROVIDER", "NAME", "ACTIVE CREDENTIAL", "SCOPES"])
        for connector in connectors {
            text += row([
                connector.provider, connector.name ?? "-", connector.activeCredentialId ?? "-",
                (connector.scope ?? []).isEmpty ? "-" : (connector.scope ?? []).joined(separator: " "),
            ])
        }
        Stdout.write(text + "\(connectors.count) connector\(connectors.count == 1 ? "" : "s")\n")
    }

    private func row(_ cells: [String]) -> String {
        let widths = [10, 24, 36]
        return cells.enumerated().map { index, cell in
            index < widths.count ? cell.padding(toLength: max(widths[index], cell.count), withPad: " ", startingAt: 0) : cell
        }.joined(separator: "  ") + "\n"
    }
}
