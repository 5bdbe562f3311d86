import ArgumentParser

/// `bulkgrant connectors`: the application's connectors (integrations).
struct ConnectorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connectors",
        abstract: "List, show and create the application's connectors.",
        discussion: """
            Examples:
              bulkgrant connectors list
              bulkgrant connectors show microsoft --json
              bulkgrant connectors create google --client-id ID.apps.googleusercontent.com \\
                --client-secret-file gcp-secret.txt --scope https://www.googleapis.com/auth/calendar
            """,
        subcommands: [ConnectorsListCommand.self, ConnectorsShowCommand.self, ConnectorsCreateCommand.self]
    )
}
