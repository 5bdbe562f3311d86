import ArgumentParser
import Foundation
import Logging
import NylasAPI
import Onboarding

/// `bulkgrant doctor`: preflight checks (issue #5), one line each with the fix.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the API key, connector, credential, ledger and clock before the first night.",
        discussion: """
            Prints one line per check, ✓ or ✗ with the fix: the API key is present \
            ($NYLAS_API_KEY or --api-key-file) and accepted (GET /v3/connectors; a 401 usually \
            means a key of the other region), the provider's connector exists, the credential \
            exists and has the type bulk authentication needs (serviceaccount for Google, \
            adminconsent for Microsoft), the ledger is readable, writable and not held by a \
            running `bulkgrant run`, and the system clock is within 5 minutes of the API \
            server's. A check that depends on a failed one is shown as skipped. Nothing is \
            changed: the ledger is opened read-only and its lock only tested.

            --canary EMAIL makes one real custom authentication for that user with the \
            credential (and the --scope values of the nightly run), proving domain-wide \
            delegation or admin consent end to end before the night; a refusal is named with its \
            cause and fix. It is harmless: Nylas re-authenticates a grant the user already has.

            Exit codes: 0 every check passed · 1 some check failed · 2 usage error.

            Examples:
              bulkgrant doctor
              bulkgrant doctor --provider google --credential-id CRED_ID \\
                --ledger /var/lib/bulkgrant/bulkgrant.sqlite \\
                --api-key-file /etc/bulkgrant/api-key
              bulkgrant doctor --provider microsoft --region eu --json
              bulkgrant doctor --provider google --credential-id CRED_ID --canary it@example.com \
                --scope https://www.googleapis.com/auth/calendar
            """)

    @Option(help: "google or microsoft: check its connector and credentials.")
    var provider: Provider?

    @Option(name: .customLong("credential-id"), help: "The credential the nightly run uses (needs --provider).")
    var credentialID: String?

    @Option(help: "Authenticate this user for real with the credential: proves delegation or consent (needs --credential-id).")
    var canary: String?

    @Option(name: .customLong("scope"), help: "Google: a scope the nightly run asks for (repeat), used by --canary.")
    var scopes: [String] = []

    @Option(help: "The ledger the nightly run uses (default ./bulkgrant.sqlite).")
    var ledger: String = "bulkgrant.sqlite"

    @Flag(help: "Print {\"checks\": [{id, title, status, detail, fix}], \"passed\": bool}.")
    var json = false

    @OptionGroup(title: "API")
    var api: APIOptions

    func validate() throws {
        if credentialID != nil && provider == nil {
            throw ValidationError("--credential-id needs --provider google or --provider microsoft")
        }
        if let credentialID, credentialID.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--credential-id must not be empty")
        }
        guard !ledger.isEmpty else { throw ValidationError("--ledger must not be empty") }
        if canary != nil && credentialID == nil {
            throw ValidationError("--canary needs --provider and --credential-id: the credential to authenticate with")
        }
        if let canary, !canary.contains("@") {
            throw ValidationError("--canary takes a user's address, such as it@example.com, not '\(canary)'")
        }
        if provider == .google && canary != nil && scopes.isEmpty {
            throw ValidationError("--canary for Google needs the nightly run's --scope values")
        }
    }

    func run() async throws {
        let endpoint: APIEndpoint
        do {
            endpoint = try api.endpoint()
        } catch {
            Console.error("\(error)")
            throw Exit.input
        }
        let key: Result<APIKey, NylasError>
        do {
            key = .success(try APIKey.load(file: api.apiKeyFile))
        } catch let error as NylasError {
            key = .failure(error)
        }
        var configuration = Doctor.Configuration(
            endpoint: endpoint, apiKey: key,
            apiKeySource: api.apiKeyFile.map { "--api-key-file \($0)" } ?? "NYLAS_API_KEY")
        configuration.provider = provider
        configuration.credentialID = credentialID?.trimmingCharacters(in: .whitespaces)
        configuration.ledgerPath = ledger
        configuration.canary = canary?.trimmingCharacters(in: .whitespaces).lowercased()
        configuration.scopes = scopes
        configuration.requestTimeout = api.requestTimeout
        let logger = Console.bootstrapLogging(level: .warning)
        let report = await Doctor(configuration: configuration, logger: logger).run()
        if json {
            Stdout.write(JSONLine.encode(report) + "\n")
        } else {
            Stdout.write(report.checks.map(\.line).joined(separator: "\n") + "\n" + report.summary + "\n")
        }
        if !report.passed { throw Exit.incomplete }
    }
}
