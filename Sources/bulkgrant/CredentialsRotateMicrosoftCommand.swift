import ArgumentParser
import Foundation
import GrantLedger
import NylasAPI
import Onboarding

/// `bulkgrant credentials rotate microsoft --credential-id ID --client-secret-file F`.
struct CredentialsRotateMicrosoftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "microsoft",
        abstract: "Put a new client secret in a Microsoft credential, keeping its grants.",
        discussion: """
            The new secret's Value is read from --client-secret-file (a trailing newline is \
            trimmed), else from $NYLAS_MS_CLIENT_SECRET; never from a flag value. Update \
            Credential replaces the credential's data whole, so the Azure app's client id and \
            the tenant are sent again: those the ledger recorded when bulkgrant created the \
            credential, or --client-id and --tenant. Another app than the recorded one needs \
            --allow-other-account. Then one custom authentication of a user already granted \
            with the credential (or --canary EMAIL) proves the secret; no grant is made again.

            A credential that uses the Microsoft connector's Azure app has no secret of its \
            own: rotate the connector's secret instead. A proof that fails exits 3 and prints \
            the command that rolls back (the same command with the old secret's file). \
            Interrupting a rotation and running it again is safe. Exit codes as for \
            `credentials rotate google`.

            Examples:
              bulkgrant credentials rotate microsoft --credential-id CRED_ID \\
                --client-secret-file new-secret.txt
              NYLAS_MS_CLIENT_SECRET=... bulkgrant credentials rotate microsoft \\
                --credential-id CRED_ID --tenant common \\
                --client-id 2f70abcd-1234-4f5e-9a8b-0c1d2e3f4a5b
            """)

    @Option(
        name: .customLong("client-secret-file"),
        help: "File holding the new client secret's Value (default: $NYLAS_MS_CLIENT_SECRET).")
    var clientSecretFile: String?

    @Option(name: .customLong("client-id"), help: "The Azure app's client id (default: the one the ledger recorded).")
    var clientID: String?

    @Option(help: "The credential's tenant (default: the one the ledger recorded).")
    var tenant: String?

    @OptionGroup var options: RotationOptions

    func validate() throws {
        do {
            if let clientID { _ = try MicrosoftCredentialSettings.checkClientID(clientID) }
            if let tenant { _ = try MicrosoftCredentialSettings.checkTenant(tenant) }
        } catch let error as CredentialInputError {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        try await CredentialRotator(provider: .microsoft, options: options).run { facts in
            let settings = try settings(facts)
            for warning in settings.warnings { Console.error("warning: \(warning)") }
            var words: [String] = []
            if let clientID { words += ["--client-id", clientID] }
            if let tenant { words += ["--tenant", tenant] }
            return RotationKey(
                credentialData: settings.credentialData, keyID: settings.secretFingerprint,
                keySource: clientSecretFile.map(Paths.absolute), clientID: settings.clientID, tenant: settings.tenant,
                secrets: settings.clientSecret.map { [$0] } ?? [], rollbackWords: words)
        }
    }

    /// The app, tenant and new secret, from the flags and the ledger; refused before any call
    /// when they cannot all be known, or name another app than the recorded one.
    private func settings(_ facts: CredentialFacts?) throws -> MicrosoftCredentialSettings {
        let id = options.credentialID
        if let facts, facts.clientID == nil, clientID == nil {
            Console.error(
                "credential \(id) uses the Microsoft connector's Azure app (bulkgrant created it without a client id), so it has no secret of its own: rotate the connector's client secret in the Nylas dashboard instead; nothing was sent")
            throw Exit.input
        }
        guard let app = clientID ?? facts?.clientID, let tenant = tenant ?? facts?.tenant else {
            Console.error(
                "ledger \(options.ledger) has no record of credential \(id)'s Azure app and tenant, and an update replaces the credential's data whole: pass --client-id and --tenant (or the nightly run's --ledger); nothing was sent")
            throw Exit.input
        }
        do {
            if let recorded = facts?.clientID, !options.allowOtherAccount,
                try MicrosoftCredentialSettings.checkClientID(app) != recorded
            {
                Console.error(
                    "--client-id \(app) is not the app credential \(id) was created for (\(recorded)): its users' consent was given to that app. Pass --allow-other-account if the other app is consented too; nothing was sent")
                throw Exit.input
            }
            return try MicrosoftCredentialSettings(clientID: app, tenant: tenant, secretFile: clientSecretFile)
        } catch let error as CredentialInputError {
            Console.error(error.message)
            throw Exit.input
        }
    }
}
