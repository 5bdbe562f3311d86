import ArgumentParser
import Foundation
import GrantLedger
import NylasAPI
import Onboarding

/// `bulkgrant credentials rotate google --credential-id ID --key-file new.json`.
struct CredentialsRotateGoogleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "google",
        abstract: "Put a new service-account JSON key in a Google credential, keeping its grants.",
        discussion: """
            The new key gets the checks of `credentials create google` (fields, service-account \
            address, an RS256 test signature made and verified locally) and must be a key of the \
            service account the ledger recorded for the credential (its client_email), unless \
            --allow-other-account. Then the credential's data is replaced with the key's \
            (PATCH /v3/connectors/google/creds/ID), and one custom authentication of a user \
            already granted with the credential (or --canary EMAIL, with --scope) proves it, \
            with the scopes of that user's grant. No grant is made again.

            It prints the old key's private_key_id and when bulkgrant recorded it: delete that \
            key in Google Cloud once nothing else uses it. A proof that fails exits 3 and prints \
            the command that rolls back (the same command with the old key file). Interrupting \
            a rotation and running it again is safe.

            Exit codes: 0 rotated and proven · 1 Nylas refused the update (nothing changed) · \
            2 a bad key file, a key of another service account, or no user to prove with \
            (nothing sent) · 3 the proof failed (rollback printed), or the API key was refused \
            or the API kept failing, or a run holds the ledger.

            Examples:
              bulkgrant credentials rotate google --credential-id CRED_ID --key-file new-key.json
              bulkgrant credentials rotate google --credential-id CRED_ID --key-file new-key.json \\
                --ledger /var/lib/bulkgrant/bulkgrant.sqlite --api-key-file /etc/bulkgrant/api-key
              bulkgrant credentials rotate google --credential-id CRED_ID --key-file new-key.json \\
                --canary it@acme.com --scope https://www.googleapis.com/auth/calendar
            """)

    @Option(name: .customLong("key-file"), help: "The service account's new JSON key file.")
    var keyFile: String

    @OptionGroup var options: RotationOptions

    func validate() throws {
        if options.canary != nil && options.scopes.isEmpty {
            throw ValidationError("--canary for Google needs the nightly run's --scope values")
        }
    }

    func run() async throws {
        // The checks of `credentials create google`, RS256 self-test included.
        let key = try CredentialsCreateGoogleCommand.loadKey(keyFile)
        try await CredentialRotator(provider: .google, options: options).run { facts in
            try checkAccount(key, facts: facts)
            return RotationKey(
                credentialData: key.credentialData, keyID: key.privateKeyID, keySource: Paths.absolute(keyFile),
                clientID: key.clientID, clientEmail: key.clientEmail,
                secrets: CredentialsCreateGoogleCommand.secrets(of: key))
        }
    }

    /// A key of another service account would leave the credential without the delegation its
    /// users were granted through: refused before any call unless `--allow-other-account`.
    private func checkAccount(_ key: GoogleKeyFile, facts: CredentialFacts?) throws {
        guard !options.allowOtherAccount else { return }
        guard let recorded = facts?.clientEmail else {
            Console.error(
                "ledger \(options.ledger) has no record of credential \(options.credentialID)'s service account (it was created elsewhere, or with another --ledger), so the new key cannot be checked to be of the same one: pass the nightly run's --ledger, or --allow-other-account once you have checked it; nothing was sent")
            throw Exit.input
        }
        guard recorded.lowercased() == key.clientEmail.lowercased() else {
            Console.error(
                "key file \(keyFile) is a key of \(key.clientEmail), but credential \(options.credentialID) is of \(recorded): its users were granted through that service account's domain-wide delegation. Create the new key for \(recorded) (Google Cloud console → IAM & Admin → Service accounts → \(recorded) → Keys → Add key → JSON), or pass --allow-other-account if the other account has the same delegation; nothing was sent")
            throw Exit.input
        }
    }
}
