import ArgumentParser

/// `bulkgrant credentials`: the provider credentials bulk authentication uses (issue #5).
struct CredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials",
        abstract: "List, create, rotate and delete provider credentials (Google service accounts, Microsoft admin consent).",
        discussion: """
            A credential is what Nylas authenticates users with: a Google service account's JSON \
            key (type serviceaccount) or a Microsoft app's client id, secret and tenant (type \
            adminconsent; without a client id and secret, the Microsoft connector's Azure app). \
            Create one per provider, then pass its id to `bulkgrant run --credential-id`; rotate \
            its key or secret in place, keeping its grants. `list` shows when each was last \
            updated. Secrets come from files or the environment, never from flag values, and are \
            never printed.

            Examples:
              bulkgrant credentials list --provider google
              bulkgrant credentials create google --name "Sync" --key-file sa.json
              NYLAS_MS_CLIENT_SECRET=... bulkgrant credentials create microsoft \\
                --name "M365 sync" --client-id APP_ID --tenant common
              bulkgrant credentials create microsoft --name "M365 via connector" --tenant common
              bulkgrant credentials rotate google --credential-id CRED_ID --key-file new-key.json
              bulkgrant credentials rotate microsoft --credential-id CRED_ID \\
                --client-secret-file new-secret.txt
              bulkgrant credentials delete --provider google CRED_ID
            """,
        subcommands: [
            CredentialsListCommand.self, CredentialsCreateCommand.self, CredentialsRotateCommand.self,
            CredentialsDeleteCommand.self,
        ]
    )
}
