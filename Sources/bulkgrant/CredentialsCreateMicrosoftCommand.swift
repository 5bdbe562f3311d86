import ArgumentParser
import Foundation
import GrantLedger
import NylasAPI
import Onboarding

/// `bulkgrant credentials create microsoft --name N --client-id X --tenant T`: the Azure app's
/// client secret comes from `--client-secret-file` or `NYLAS_MS_CLIENT_SECRET`, never from a
/// flag value.
struct CredentialsCreateMicrosoftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "microsoft",
        abstract: "Create a Microsoft admin-consent credential for an Azure app.",
        discussion: """
            The client secret's Value is read from --client-secret-file (a trailing newline is \
            trimmed), else from $NYLAS_MS_CLIENT_SECRET; never from a flag value, which ps and \
            shell history would show. It is never printed. --client-id is the app's \
            "Application (client) ID" GUID and --tenant is common, or the "Directory (tenant) \
            ID" GUID or a domain such as contoso.onmicrosoft.com (Azure portal → Microsoft Entra \
            ID → App registrations → your app → Overview). A missing or empty secret exits 2.

            After creating it, have a Microsoft admin approve the app with `bulkgrant consent \
            url` and `bulkgrant consent listen`; grants can be created 5 minutes after consent.

            Examples:
              bulkgrant credentials create microsoft --name "M365 sync" \\
                --client-id 2f70abcd-1234-4f5e-9a8b-0c1d2e3f4a5b \\
                --client-secret-file azure-secret.txt --tenant common
              NYLAS_MS_CLIENT_SECRET=... bulkgrant credentials create microsoft \\
                --name "Contoso" --client-id 2f70abcd-1234-4f5e-9a8b-0c1d2e3f4a5b \\
                --tenant contoso.onmicrosoft.com
            """)

    @Option(help: "A name for the credential, unique in the application.")
    var name: String

    @Option(name: .customLong("client-id"), help: "The Azure app's Application (client) ID, a GUID.")
    var clientID: String

    @Option(
        name: .customLong("client-secret-file"),
        help: "File holding the client secret's Value (default: $NYLAS_MS_CLIENT_SECRET).")
    var clientSecretFile: String?

    @Option(help: "common, or the tenant id (a GUID) or domain (contoso.onmicrosoft.com).")
    var tenant: String

    @Option(help: "The ledger the nightly run uses, where the credential's app is noted (default ./bulkgrant.sqlite).")
    var ledger: String = "bulkgrant.sqlite"

    @Flag(help: "Print {\"credential\": …, \"next\": [commands]} as JSON.")
    var json = false

    @OptionGroup(title: "API")
    var api: APIOptions

    func validate() throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--name must not be empty") }
        do {
            _ = try MicrosoftCredentialSettings.checkClientID(clientID)
            _ = try MicrosoftCredentialSettings.checkTenant(tenant)
        } catch let error as CredentialInputError {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        let settings: MicrosoftCredentialSettings
        do {
            settings = try MicrosoftCredentialSettings(clientID: clientID, tenant: tenant, secretFile: clientSecretFile)
        } catch let error as CredentialInputError {
            Console.error(error.message)
            throw Exit.input
        }
        for warning in settings.warnings { Console.error("warning: \(warning)") }
        let request = CreateCredentialRequest(
            name: name.trimmingCharacters(in: .whitespaces), credentialType: .adminConsent,
            credentialData: settings.credentialData)
        let configuration = try AdminCall.configuration(api)
        let answer = try await AdminCall.run(configuration, redacting: [settings.clientSecret]) { client in
            // Not retried: Nylas re-uses a credential with identical parameters, so running the
            // command again is the retry.
            try await client.createCredential(provider: .microsoft, request)
        }
        await CredentialRecorder.record(
            CredentialFacts(
                id: answer.id, provider: Provider.microsoft.rawValue, name: answer.name, clientID: settings.clientID,
                tenant: settings.tenant),
            ledger: ledger, identity: configuration.endpoint.identity)
        let next = [
            // /v3/connect/auth takes the Nylas application's client id, not the Azure app's.
            "bulkgrant consent url --credential-id \(answer.id) --client-id NYLAS_CLIENT_ID --redirect-uri http://localhost:8765/callback",
            "bulkgrant consent listen --port 8765 --state STATE --credential-id \(answer.id)",
            "bulkgrant run hr-export.csv --provider microsoft --credential-id \(answer.id)",
        ]
        if json {
            Stdout.write("{\"credential\":\(JSONLine.encode(answer)),\"next\":\(JSONLine.encode(next))}\n")
            return
        }
        Stdout.write(
            """
            created microsoft credential \(answer.id) "\(answer.name)" for app \(settings.clientID), tenant \(settings.tenant)
            next: have a Microsoft admin of the tenant approve the app (the redirect URI must be one of your Nylas application's callback URIs):
              \(next[0])    # NYLAS_CLIENT_ID: your Nylas application's (dashboard: App settings)
              \(next[1])    # consent url prints this line with its STATE
            then, 5 minutes after consent:
              \(next[2])

            """)
    }
}
