import ArgumentParser
import Foundation
import GrantLedger
import NylasAPI
import Onboarding

/// `bulkgrant credentials create google --name N --key-file sa.json`: checks the service
/// account's JSON key locally (fields, address, an RS256 test signature), then creates the
/// `serviceaccount` credential with the file's fields as `credential_data`.
struct CredentialsCreateGoogleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "google",
        abstract: "Create a Google service-account credential from its JSON key file.",
        discussion: """
            Before anything is sent, the key file is checked: it must be the service account's \
            JSON key (type service_account, with private_key_id, private_key and client_email), \
            client_email must be a service account's address, and the private key must be an \
            RSA key that signs a test JWT assertion (made and verified locally, never sent). A \
            .p12 key, an OAuth client file, a truncated or damaged key, or missing fields exit 2 \
            with a message saying what to do. A key file other users can read is reported (fix: \
            chmod 600) but still used. The key is never printed, logged or stored; it goes only \
            to Nylas.

            Create the key in the Google Cloud console: IAM & Admin → Service accounts → your \
            service account → Keys → Add key → Create new key → JSON. Then grant the service \
            account's client id domain-wide delegation for your scopes in the Workspace admin \
            console (Security → API controls → Domain-wide delegation).

            It prints the exact domain-wide delegation entry to add (the client ID and the scopes \
            given with --scope), and notes the credential in the ledger so that a run refused for \
            missing delegation names that client ID.

            Examples:
              bulkgrant credentials create google --name "Sync" --key-file sa.json \
                --scope https://www.googleapis.com/auth/calendar
              bulkgrant credentials create google --name "Sync" \\
                --key-file /etc/bulkgrant/sa.json --json
            """)

    @Option(help: "A name for the credential, unique in the application.")
    var name: String

    @Option(name: .customLong("key-file"), help: "The service account's JSON key file.")
    var keyFile: String

    @Option(name: .customLong("scope"), help: "A scope the nightly run will ask for (repeat): printed in the delegation entry.")
    var scopes: [String] = []

    @Option(help: "The ledger the nightly run uses, where the credential's client id is noted (default ./bulkgrant.sqlite).")
    var ledger: String = "bulkgrant.sqlite"

    @Flag(help: "Print {\"credential\": …, \"delegation\": {client_id, scopes}, \"next\": \"bulkgrant run …\"} as JSON.")
    var json = false

    @OptionGroup(title: "API")
    var api: APIOptions

    func validate() throws {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--name must not be empty") }
    }

    func run() async throws {
        let key: GoogleKeyFile
        do {
            key = try GoogleKeyFile.load(path: keyFile)
        } catch let error as KeyFileError {
            Console.error("\(error)")
            throw Exit.input
        }
        for warning in key.warnings { Console.error("warning: \(warning)") }
        let request = CreateCredentialRequest(
            name: name.trimmingCharacters(in: .whitespaces), credentialType: .serviceAccount,
            credentialData: key.credentialData)
        let configuration = try AdminCall.configuration(api)
        let answer = try await AdminCall.run(configuration, redacting: Self.secrets(of: key)) { client in
            // Not retried: Nylas re-uses a credential with identical parameters, so running the
            // command again is the retry.
            try await client.createCredential(provider: .google, request)
        }
        await CredentialRecorder.record(
            CredentialFacts(
                id: answer.id, provider: Provider.google.rawValue, name: answer.name, clientID: key.clientID,
                clientEmail: key.clientEmail, keyID: key.credentialData["private_key_id"]),
            ledger: ledger, identity: configuration.endpoint.identity)
        let runScopes = scopes.isEmpty ? ["https://www.googleapis.com/auth/calendar"] : scopes
        let next =
            "bulkgrant run hr-export.csv --provider google --credential-id \(answer.id) "
            + runScopes.map { "--scope \($0)" }.joined(separator: " ")
        let clientID = key.clientID ?? "the service account's client ID (Google Cloud console → IAM & Admin → Service accounts)"
        if json {
            let delegation = "{\"client_id\":\(JSONLine.encode(key.clientID)),\"scopes\":\(JSONLine.encode(scopes))}"
            Stdout.write(
                "{\"credential\":\(JSONLine.encode(answer)),\"delegation\":\(delegation),\"next\":\(JSONLine.encode(next))}\n")
            return
        }
        let scopeLine =
            scopes.isEmpty
            ? "the scopes the run will pass with --scope, comma-separated (e.g. https://www.googleapis.com/auth/calendar)"
            : scopes.joined(separator: ",")
        Stdout.write(
            """
            created google credential \(answer.id) "\(answer.name)" for \(key.clientEmail)
            next: in the Google Admin console → Security → Access and data control → API controls → Manage domain-wide delegation → Add new, paste:
              Client ID:     \(clientID)
              OAuth scopes:  \(scopeLine)
            then check it before the night, and run with the same scopes:
              bulkgrant doctor --provider google --credential-id \(answer.id) --canary SOMEONE@YOUR-DOMAIN \(runScopes.map { "--scope \($0)" }.joined(separator: " "))
              \(next)

            """)
    }

    /// What must not appear in an error even if a server echoed it: the key, and each line of
    /// its base64 body.
    static func secrets(of key: GoogleKeyFile) -> [String] {
        let pem = key.credentialData["private_key"] ?? ""
        return [pem] + pem.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("-----") }
    }
}
