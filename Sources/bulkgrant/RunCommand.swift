import ArgumentParser
import Foundation
import GrantLedger
import Logging
import NylasAPI
import NylasSandbox
import Provisioning

/// `bulkgrant run`: the nightly job.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Grant every user in an HR export; rerun to resume.",
        discussion: """
            Users already granted cost no API call; failed and deferred users are retried; users \
            whose last call was cut off are looked up before anything is sent again.

            Examples:
              export NYLAS_API_KEY=...   # or --api-key-file FILE
              bulkgrant run hr-export.csv --provider google --credential-id CRED \\
                --scope https://www.googleapis.com/auth/calendar
              bulkgrant run users.txt --provider microsoft --credential-id CRED --region eu --json
              bulkgrant run examples/hr-export.csv --provider google --credential-id demo \\
                --scope https://www.googleapis.com/auth/calendar --sandbox
            """)

    @Argument(help: "The HR export: a CSV with a header row, or one address per line; '-' reads standard input.")
    var input: String

    @Option(help: "google (service account) or microsoft (admin consent).")
    var provider: Provider

    @Option(name: .customLong("credential-id"), help: "The Nylas credential to authenticate with (default with --sandbox: demo).")
    var credentialID: String?

    @Option(name: .customLong("scope"), help: "A Google scope to grant (repeat for several). Not for Microsoft.")
    var scopes: [String] = []

    @Option(help: "The SQLite ledger (default ./bulkgrant.sqlite; ./bulkgrant-sandbox.sqlite with --sandbox).")
    var ledger: String?

    @Option(help: "API calls in flight at most.")
    var concurrency: Int = 64

    @Option(help: "API calls per second at most (Nylas allows 50 per application).")
    var rate: Double = 45

    @Option(name: .customLong("max-attempts"), help: "Tries per user in this run on transient errors.")
    var maxAttempts: Int = 5

    @Option(name: .customLong("email-column"), help: "The CSV column holding the address (default: found by name).")
    var emailColumn: String?

    @Option(help: "Input format: auto, csv or lines.")
    var format: InputFormat = .auto

    @Option(name: .customLong("domain"), help: "Only provision addresses in this domain (repeat for several).")
    var domains: [String] = []

    @Option(name: .customLong("breaker-threshold"), help: "Identical permanent errors in a row that stop the run (0: never).")
    var breakerThreshold: Int = 25

    @Option(name: .customLong("stop-grace"), help: "Seconds calls in flight may take to finish after a stop.")
    var stopGrace: Double = 10

    @Flag(help: "Start a sandbox in this process and run against it: no account or API key needed.")
    var sandbox = false

    @Flag(help: "Print the summary as one JSON object on standard output.")
    var json = false

    @Flag(name: .customLong("no-progress"), help: "No live progress line, even on a terminal.")
    var noProgress = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .warning

    @OptionGroup(title: "API")
    var api: APIOptions

    func validate() throws {
        if provider == .google && scopes.isEmpty {
            throw ValidationError(
                "Google grants need at least one --scope, e.g. --scope https://www.googleapis.com/auth/calendar")
        }
        if provider == .microsoft && !scopes.isEmpty {
            throw ValidationError(
                "--scope is for Google only: Microsoft grants take their scopes from the Azure app's admin consent")
        }
        if credentialID == nil && !sandbox {
            throw ValidationError("--credential-id is required: list them with the Nylas dashboard, or try --sandbox")
        }
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 1024") }
        guard rate > 0 else { throw ValidationError("--rate must be more than 0 requests per second") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        guard breakerThreshold >= 0 else { throw ValidationError("--breaker-threshold must be 0 or more") }
        guard stopGrace >= 0 else { throw ValidationError("--stop-grace must be 0 or more seconds") }
    }

    func run() async throws {
        let logger = Console.bootstrapLogging(level: logLevel)
        let credential = credentialID ?? "demo"
        var sandboxServer: SandboxServer?
        let clientConfiguration: NylasClientConfiguration
        do {
            if sandbox {
                let server = try await startSandbox(credential: credential, logger: logger)
                sandboxServer = server
                var configuration = NylasClientConfiguration(
                    endpoint: try APIEndpoint(server.baseURI), apiKey: APIKey(sandboxKey))
                configuration.requestTimeout = api.requestTimeout
                configuration.maxConnections = concurrency
                clientConfiguration = configuration
            } else {
                clientConfiguration = try api.clientConfiguration(maxConnections: concurrency)
            }
        } catch {
            Console.error("\(error)")
            throw Exit.input
        }

        let ledgerPath = ledger ?? (sandbox ? "bulkgrant-sandbox.sqlite" : "bulkgrant.sqlite")
        let openedLedger: Ledger
        do {
            openedLedger = try Ledger.open(
                path: ledgerPath, apiIdentity: clientConfiguration.endpoint.identity, logger: logger)
        } catch let error as LedgerError {
            Console.error("\(error)")
            await sandboxServer?.stop()
            throw error.code == .locked ? Exit.stopped : Exit.input
        }

        let client = NylasClient(configuration: clientConfiguration, logger: logger)
        let control = RunControl()
        let signals = SignalTrap(control: control)
        signals.install()

        var engine = EngineConfiguration(provider: provider, credentialID: credential)
        engine.scopes = scopes
        engine.concurrency = concurrency
        engine.rate = rate
        engine.maxAttempts = maxAttempts
        engine.breakerThreshold = breakerThreshold
        engine.stopGrace = stopGrace
        var options = RunOptions(inputPath: input, engine: engine)
        options.reader.format = format
        options.reader.emailColumn = emailColumn
        options.domains = Set(domains.map { $0.lowercased() })
        options.recordedOptions = [
            "concurrency": String(concurrency), "rate": String(rate), "max_attempts": String(maxAttempts),
            "credential_id": credential, "scopes": scopes.joined(separator: " "),
            "api": clientConfiguration.endpoint.identity,
        ]

        let printer = ProgressPrinter(live: Console.stderrIsTerminal && !noProgress)
        let report: RunReport
        do {
            report = try await ProvisioningRun(
                options: options, client: client, ledger: openedLedger, control: control, logger: logger
            ).execute { progress in
                printer.start(progress)
                signals.progress = progress
            }
        } catch {
            await printer.stop()
            Console.error("\(error)")
            try? await client.shutdown()
            try? openedLedger.close()
            await sandboxServer?.stop()
            throw error is InputError ? Exit.input : Exit.stopped
        }
        await printer.stop()
        try? await client.shutdown()
        try? openedLedger.close()
        await sandboxServer?.stop()

        SummaryPrinter(report: report, sandbox: sandbox).print(json: json)
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    private var sandboxKey: String { "sandbox-try-out-key" }

    private func startSandbox(credential: String, logger: Logger) async throws -> SandboxServer {
        var configuration = SandboxConfiguration()
        configuration.apiKey = sandboxKey
        configuration.seedCredentials = [.init(provider: provider, id: credential, name: "bulkgrant try-out")]
        configuration.faults.latencyMs = 40...120
        var quiet = logger
        quiet.logLevel = .error
        return try await SandboxServer.start(configuration, logger: quiet)
    }
}

extension InputFormat: ExpressibleByArgument {}
