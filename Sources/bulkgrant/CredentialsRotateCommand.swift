import ArgumentParser

/// `bulkgrant credentials rotate google|microsoft`.
struct CredentialsRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Put a new key or secret in a credential, keeping every grant made with it.",
        discussion: """
            Nylas's Update Credential replaces the credential's data in place: its id does not \
            change, so the grants made with it keep working and none is made again. The new key \
            is then proven by one custom authentication of a user the ledger knows as granted \
            with the credential (or --canary EMAIL), which re-authenticates that user's grant. \
            A proof that fails exits 3 and prints the command that rolls the rotation back.

            Examples:
              bulkgrant credentials rotate google --credential-id CRED_ID --key-file new-key.json
              bulkgrant credentials rotate microsoft --credential-id CRED_ID \\
                --client-secret-file new-secret.txt
            """,
        subcommands: [CredentialsRotateGoogleCommand.self, CredentialsRotateMicrosoftCommand.self]
    )
}
