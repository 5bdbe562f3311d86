import ArgumentParser

/// `bulkgrant credentials`: the provider credentials bulk authentication uses (issue #5).
struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials",
        abstract: "List, create and delete provider credentials (Google service accounts, Microsoft admin consent).",
        discussion: """
            A credential is what Nylas authenticates users with: a Google service account's JSON \
            key (type serviceaccount) or a Microsoft app's client id, secret and tenant (type \
            adminconsent). Create one per provider, then pass its id to `bulkgrant run \
            --credential-id`. Secrets come from files or the environment, never from flag values, \
            and are never printed.

            Examples:
              bulkgrant credentials list --provider google
              bulkgrant credentials create google --name "Sync" --key-file sa.json
              NYLAS_MS_CLIENT_SECRET=... bulkgrant credentials create microsoft \\
                --name "M365 sync" --client-id APP_ID --tenant common
              bulkgrant credentials delete --provider google CRED_ID
            """,
        subcommands: [CredentialsListCommand.self, CredentialsCreateCommand.self, CredentialsDeleteCommand.self]
    )
}
