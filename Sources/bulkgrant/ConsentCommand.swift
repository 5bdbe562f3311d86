import ArgumentParser

/// `bulkgrant consent`: Microsoft admin consent, step 2 of Nylas's Microsoft bulk-authentication
/// flow, done from the tool: build the URL, receive the redirect, record when it happened.
struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Build the Microsoft admin-consent URL and receive its redirect.",
        discussion: """
            A Microsoft 365 global administrator opens the URL that 'consent url' prints and \
            approves the Azure app for the whole organisation. Nylas then sends the browser to \
            your redirect URI, where 'consent listen' checks the state, records the consent and \
            its time in the ledger, and shows the admin a page saying it worked. Microsoft needs \
            5 minutes to apply a consent: 'bulkgrant run --provider microsoft' waits until 5 \
            minutes after the recorded consent (or, with --no-wait, refuses with exit 3).

            Neither command needs an API key. The redirect URI must be one of the Nylas \
            application's callback URIs (dashboard: Hosted Authentication → Callback URIs).

            Examples:
              bulkgrant consent url --credential-id CRED --client-id NYLAS_CLIENT_ID \\
                --redirect-uri http://localhost:8400/callback
              bulkgrant consent listen --port 8400 --state STATE --credential-id CRED
            """,
        subcommands: [ConsentURLCommand.self, ConsentListenCommand.self]
    )
}
