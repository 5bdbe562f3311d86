import ArgumentParser
import Foundation
import NylasAPI

/// `bulkgrant credentials list --provider P`.
struct CredentialsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the credentials of a provider's connector.",
        discussion: """
            Shows each credential's id (what --credential-id takes), name, type, creation time \
            and last update (updated_at: a rotation moves it on, so it is the age of the key or \
            secret inside). Google bulk authentication needs a serviceaccount credential, \
            Microsoft an adminconsent one. Nylas never returns a credential's secret data.

            Examples:
              bulkgrant credentials list --provider google
              bulkgrant credentials list --provider microsoft --json
            """)

    @Option(help: "google or microsoft.")
    var provider: Provider

    @Flag(help: "Print {\"data\": [credential, …], \"count\": N}.")
    var json = false

    @OptionGroup(title: "API")
    var api: APIOptions

    func run() async throws {
        let configuration = try AdminCall.configuration(api)
        let credentials = try await AdminCall.run(configuration) { client in
            var all: [Credential] = []
            var offset = 0
            while true {
                let page = try await Retrying.idempotent {
                    try await client.listCredentials(provider: provider, limit: 50, offset: offset)
                }
                all += page.data
                offset += page.data.count
                if page.data.count < 50 { break }
            }
            return all
        }
        if json {
            Stdout.write("{\"data\":[" + credentials.map(JSONLine.encode).joined(separator: ",") + "],\"count\":\(credentials.count)}\n")
            return
        }
        var text = CredentialText.row(["ID", "TYPE", "CREATED (UTC)", "UPDATED (UTC)", "NAME"])
        for credential in credentials {
            text += CredentialText.row([
                credential.id, credential.credentialType?.rawValue ?? "-", GrantText.time(credential.createdAt),
                GrantText.time(credential.updatedAt), credential.name,
            ])
        }
        Stdout.write(text + "\(credentials.count) \(provider.rawValue) credential\(credentials.count == 1 ? "" : "s")\n")
    }
}

/// How credentials read on a terminal.
enum CredentialText {
    static func row(_ cells: [String]) -> String {
        let widths = [36, 14, 16, 16]
        return cells.enumerated().map { index, cell in
            index < widths.count ? cell.padding(toLength: max(widths[index], cell.count), withPad: " ", startingAt: 0) : cell
        }.joined(separator: "  ") + "\n"
    }

    /// `"name" (id, type)`, for confirmations and messages.
    static func describe(_ credential: Credential) -> String {
        "\"\(credential.name)\" (\(credential.id), \(credential.credentialType?.rawValue ?? "unknown type"))"
    }
}
