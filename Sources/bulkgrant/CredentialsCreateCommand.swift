import ArgumentParser

/// `bulkgrant credentials create google|microsoft`.
struct CredentialsCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a bulk-authentication credential, after checking it locally.",
        discussion: """
            Examples:
              bulkgrant credentials create google --name "Sync" --key-file sa.json
              bulkgrant credentials create microsoft --name "M365 sync" \\
                --client-id 2f70abcd-1234-4f5e-9a8b-0c1d2e3f4a5b \\
                --client-secret-file azure-secret.txt --tenant common
              bulkgrant credentials create microsoft --name "M365 via connector" --tenant common
            """,
        subcommands: [CredentialsCreateGoogleCommand.self, CredentialsCreateMicrosoftCommand.self]
    )
}
