import ArgumentParser
import Foundation
import Onboarding

/// `bulkgrant consent url`: the admin-consent URL, and the listener command that receives it.
struct ConsentURLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "url",
        abstract: "Print the Microsoft admin-consent URL and the listener command to run with it.",
        discussion: """
            Builds GET {api}/v3/connect/auth?provider=microsoft&response_type=adminconsent&… \
            locally (no API key needed) with a random state, and prints it with the exact \
            'bulkgrant consent listen' command that receives the redirect. Start that listener, \
            then open the URL as a Microsoft 365 global administrator (or send it to one).

            --client-id is your Nylas application's client id (dashboard: App settings), \
            --credential-id the adminconsent credential made with 'bulkgrant credentials create \
            microsoft'. The redirect URI must be one of the application's callback URIs; plain \
            http is accepted for localhost only, and the listener can receive only \
            http://localhost:PORT/… or http://127.0.0.1:PORT/….

            --scope asks for specific Microsoft Graph scopes instead of the Azure app's \
            configured permissions. Microsoft accepts that only for a specific tenant, so it \
            needs --tenant with the tenant id or domain the credential was made for (not \
            common).

            Examples:
              bulkgrant consent url --credential-id CRED --client-id NYLAS_CLIENT_ID \\
                --redirect-uri http://localhost:8400/callback
              bulkgrant consent url --credential-id CRED --client-id NYLAS_CLIENT_ID \\
                --redirect-uri http://localhost:8400/callback --region eu \\
                --tenant acme.onmicrosoft.com --scope Calendars.ReadWrite --scope Mail.Read
              bulkgrant consent url ... --json     # {"url", "state", "listen_command", …}
            """)

    @Option(name: .customLong("credential-id"), help: "The adminconsent credential to consent for.")
    var credentialID: String

    @Option(name: .customLong("client-id"), help: "Your Nylas application's client id (not the Azure app's).")
    var clientID: String

    @Option(name: .customLong("redirect-uri"), help: "Where Nylas sends the admin's browser, e.g. http://localhost:8400/callback.")
    var redirectURI: String

    @Option(name: .customLong("scope"), help: "A Microsoft scope to consent to (repeat for several); needs --tenant.")
    var scopes: [String] = []

    @Option(parsing: .unconditional, help: "The state to send (8-256 letters, digits, -._~). Default: 32 random bytes.")
    var state: String?

    @Option(help: "The tenant id or domain the credential is for, or common. Required with --scope.")
    var tenant: String?

    @Option(help: "The ledger the listener should record into, repeated in the printed command.")
    var ledger: String?

    @Flag(help: "Print the URL, state and listener command as one JSON object.")
    var json = false

    @OptionGroup(title: "API")
    var endpoint: ConsentEndpointOptions

    func validate() throws {
        _ = try consentURL(state: state ?? "placeholder-state")
    }

    func run() throws {
        let consent = try consentURL(state: state)
        let listen = consent.redirectURI.isListenable ? listenCommand(consent) : nil
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let output = Output(
                url: consent.url, state: consent.state, credentialID: consent.credentialID,
                redirectURI: consent.redirectURI.text, listenCommand: listen)
            Console.out(String(decoding: try encoder.encode(output), as: UTF8.self) + "\n")
            return
        }
        var text = """
            Admin-consent URL for credential \(consent.credentialID): open it as a Microsoft 365 global \
            administrator, or send it to one.

              \(consent.url)

            state: \(consent.state)


            """
        if let listen {
            text += """
                First start the listener on this machine; it receives the redirect, records the consent \
                in the ledger and exits:

                  \(listen)

                Runs for credential \(consent.credentialID) then wait until 5 minutes after the consent, \
                as Microsoft needs.

                """
            if consent.redirectURI.port < 1024 {
                text += "Port \(consent.redirectURI.port) needs root to listen on: a port such as 8400 in --redirect-uri avoids that.\n"
            }
        } else {
            text += """
                The redirect goes to \(consent.redirectURI.text), which 'bulkgrant consent listen' cannot \
                receive (it serves http://localhost:PORT/… only), so bulkgrant will not record the consent: \
                wait 5 minutes after the admin approves before the first 'bulkgrant run --provider \
                microsoft'. To have it recorded, use --redirect-uri http://localhost:8400/callback (and add \
                it to the application's callback URIs).

                """
        }
        Console.out(text)
    }

    private func consentURL(state: String?) throws -> ConsentURL {
        let base: String
        do {
            base = try endpoint.endpoint().baseURI
        } catch {
            throw ValidationError("\(error)")
        }
        do {
            return try ConsentURL(
                apiBaseURI: base, credentialID: credentialID, clientID: clientID, redirectURI: redirectURI,
                scopes: scopes, state: state, tenant: tenant)
        } catch let error as ConsentError {
            throw ValidationError(error.message)
        }
    }

    /// The exact listener command for this URL.
    private func listenCommand(_ consent: ConsentURL) -> String {
        var words = [
            "bulkgrant", "consent", "listen", "--port", String(consent.redirectURI.port), "--state", consent.state,
            "--credential-id", consent.credentialID,
        ]
        if consent.redirectURI.path != "/callback" { words += ["--path", consent.redirectURI.path] }
        if let ledger { words += ["--ledger", ledger] }
        words += endpoint.repeated
        return ShellWords.line(words)
    }

    struct Output: Encodable {
        var url: String
        var state: String
        var credentialID: String
        var redirectURI: String
        var listenCommand: String?

        enum CodingKeys: String, CodingKey {
            case url, state
            case credentialID = "credential_id"
            case redirectURI = "redirect_uri"
            case listenCommand = "listen_command"
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(url, forKey: .url)
            try container.encode(state, forKey: .state)
            try container.encode(credentialID, forKey: .credentialID)
            try container.encode(redirectURI, forKey: .redirectURI)
            try container.encode(listenCommand, forKey: .listenCommand)
        }
    }
}
