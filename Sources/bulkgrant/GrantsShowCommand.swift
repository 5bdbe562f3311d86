import ArgumentParser
import Foundation
import NylasAPI

/// `bulkgrant grants show ID`: one grant.
struct GrantsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one grant.",
        discussion: """
            Exits 1 when there is no such grant.

            Examples:
              bulkgrant grants show 0b6c6a0e-6c1f-4a4e-9d47-0c2f1b4a9e11
              bulkgrant grants show 0b6c6a0e-6c1f-4a4e-9d47-0c2f1b4a9e11 --json
            """)

    @Argument(help: "The grant id.")
    var id: String

    @Flag(help: "Print the grant as JSON, as Nylas returns it.")
    var json = false

    @OptionGroup(title: "API")
    var api: APIOptions

    func validate() throws {
        guard !id.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the grant id must not be empty") }
    }

    func run() async throws {
        let configuration = try AdminCall.configuration(api)
        let grant = try await AdminCall.run(configuration) { client in
            try await Retrying.idempotent { try await client.getGrant(id: id) }
        }
        if json {
            Stdout.write(JSONLine.encode(grant) + "\n")
            return
        }
        var rows: [(String, String)] = [
            ("id", grant.id),
            ("provider", grant.provider),
            ("email", grant.email ?? "-"),
            ("status", grant.grantStatus ?? "-"),
            ("scopes", (grant.scope ?? []).isEmpty ? "-" : (grant.scope ?? []).joined(separator: " ")),
            ("credential", GrantText.credentialID(grant) ?? "-"),
            ("created", grant.createdAt.map { "\(GrantText.isoTime($0)) (\($0))" } ?? "-"),
            ("updated", grant.updatedAt.map { "\(GrantText.isoTime($0)) (\($0))" } ?? "-"),
        ]
        if let blocked = grant.blocked { rows.append(("blocked", blocked ? "yes" : "no")) }
        Stdout.write(rows.map { $0.0.padding(toLength: 12, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n") + "\n")
    }
}
