import ArgumentParser

/// `bulkgrant grants`: inspect and tidy the grants of the Nylas application.
struct GrantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grants",
        abstract: "List, show and delete the application's grants.",
        discussion: """
            Examples:
              bulkgrant grants list --provider google --status invalid
              bulkgrant grants list --since 2025-01-01 --format csv > grants.csv
              bulkgrant grants show GRANT_ID --json
              bulkgrant grants delete GRANT_ID OTHER_ID --yes
            """,
        subcommands: [GrantsListCommand.self, GrantsShowCommand.self, GrantsDeleteCommand.self]
    )
}
