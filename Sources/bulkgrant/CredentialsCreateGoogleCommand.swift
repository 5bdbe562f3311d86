import ArgumentParser
import Foundation
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

            Examples:
              bulkgrant credentials create google --name "Sync" --key-file sa.json
              bulkgrant credentials create google --name "Sync" \\
                --key-file /etc/bulkgrant/sa.json --json
            """)

    @Option(help: "A name for the credential, unique in the application.")
    var name: String

    @Option(name: .customLong("key-file"), help: "The service account's JSON key file.")
    var keyFile: String

    @Flag(help: "Print {\"credential\": …, \"next\": \"bulkgrant run …\"} as JSON.")
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
        let next = "bulkgrant run hr-export.csv --provider google --credential-id \(answer.id) --scope https://www.googleapis.com/auth/calendar"
        if json {
            Stdout.write("{\"credential\":\(JSONLine.encode(answer)),\"next\":\(JSONLine.encode(next))}\n")
            return
        }
        let delegation = key.clientID.map { " to client id \($0)" } ?? ""
        Stdout.write(
            """
            created google credential \(answer.id) "\(answer.name)" for \(key.clientEmail)
            next: grant domain-wide delegation\(delegation) for your scopes (Workspace admin console → Security → API controls → Domain-wide delegation), then run, with those scopes:
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
