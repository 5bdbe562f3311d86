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
            whose last call was cut off are looked up before anything is sent again. Users granted \
            earlier and absent from the export are reported as departed; --revoke-departed deletes \
            their grants, unless the safeguard refuses (more than --max-revoke, or an export under \
            80% of the last run's): then nothing is changed and the run exits 3.

            One rule for --domain, --where/--exclude and a partial input: the export's size is \
            its valid, distinct addresses inside --domain, rows the filters drop included; it is \
            compared with the last run of the same provider and organisation over the same \
            --domain set. Departed users are granted users inside --domain that the file no \
            longer lists, or lists only in rows the filters drop. A list of users to retry \
            (--retry-only, or a file written by 'bulkgrant report') departs nobody and is no \
            baseline. Revocations an interrupted run left are finished by the next run.

            Examples:
              export NYLAS_API_KEY=...   # or --api-key-file FILE
              bulkgrant run hr-export.csv --provider google --credential-id CRED \\
                --scope https://www.googleapis.com/auth/calendar
              bulkgrant run hr-export.csv ... --dry-run          # the plan; nothing created, deleted or written
              bulkgrant run hr-export.csv ... --where Status=Active \\
                --exclude Department=Contractors               # row filters: see --where
              bulkgrant run hr-export.csv ... --repair-invalid --revoke-departed \\
                --log-format json --metrics-file /var/lib/node_exporter/textfile/bulkgrant.prom
              bulkgrant run users.txt --provider microsoft --credential-id CRED --region eu --json
              bulkgrant run examples/hr-export.csv --provider google --credential-id demo \\
                --scope https://www.googleapis.com/auth/calendar --sandbox
            """)

    @Argument(
        help: ArgumentHelp(
            "The HR export: a CSV with a header row, or one address per line; '-' reads standard input.",
            valueName: "input"))
    var inputArgument: String?

    @Option(name: .customLong("provider"), help: "google (service account) or microsoft (admin consent).")
    var providerOption: Provider?

    @Option(
        name: .customLong("job"),
        help: "Run every organisation of a job file (TOML) in one process, under one rate limit; see 'bulkgrant job --help'.")
    var job: String?

    @Option(name: .customLong("credential-id"), help: "The Nylas credential to authenticate with (default with --sandbox: demo).")
    var credentialID: String?

    @Option(name: .customLong("scope"), help: "A Google scope to grant (repeat for several). Not for Microsoft.")
    var scopes: [String] = []

    @Option(help: "The SQLite ledger (default ./bulkgrant.sqlite, or the job's; with --sandbox a -sandbox file beside it).")
    var ledger: String?

    @Option(help: "API calls in flight at most.")
    var concurrency: Int = EngineConfiguration.defaults.concurrency

    @Option(help: "API calls per second at most (Nylas allows 50 per application).")
    var rate: Double = EngineConfiguration.defaults.rate

    @Option(name: .customLong("max-attempts"), help: "Tries per user in this run on transient errors.")
    var maxAttempts: Int = EngineConfiguration.defaults.maxAttempts

    @Option(name: .customLong("email-column"), help: "The CSV column holding the address (default: found by name).")
    var emailColumn: String?

    @Option(help: "Input format: auto, csv or lines.")
    var format: InputFormat = .auto

    @Option(name: .customLong("domain"), help: "Only provision addresses in this domain (repeat for several).")
    var domains: [String] = []

    @Option(
        name: .customLong("where"),
        help: ArgumentHelp(
            "Only provision rows whose COLUMN holds VALUE, or one of a comma-separated list; repeat: all must hold.",
            discussion: """
                Column names and values are trimmed and compared without regard to case; quote a value \
                holding a comma: --where 'Department="People, Culture & Talent",Sales'. An address is \
                provisioned only if every row holding it passes, so an old Terminated row next to an \
                Active one keeps it out. A granted user filtered out counts as departed \
                (--revoke-departed revokes it, under the safeguard). Needs a CSV with a header.
                """,
            valueName: "column=value"))
    var whereFilters: [String] = []

    @Option(
        name: .customLong("exclude"),
        help: ArgumentHelp(
            "Drop rows whose COLUMN holds VALUE, or one of a comma-separated list; repeat: any one drops. Wins over --where.",
            discussion: "E.g. --where Status=Active --exclude Department=Contractors. One excluded row keeps its address out.",
            valueName: "column=value"))
    var excludeFilters: [String] = []

    /// `--where` and `--exclude`, parsed; throws `RowFilterError` (`validate` has checked them).
    func rowFilters() throws -> [RowFilter] {
        try whereFilters.map { try RowFilter(parsing: $0, kind: .where) }
            + excludeFilters.map { try RowFilter(parsing: $0, kind: .exclude) }
    }

    @Option(
        name: .customLong("stop-after"),
        help: ArgumentHelp(
            "Identical answers with a credential-wide cause that stop the run.",
            discussion: """
                A cause that reaches every user of the credential (domain-wide delegation missing, no \
                admin consent, a deleted key, an expired secret) stops the run after this many \
                identical answers, with the cause and its fix; the users stay pending and the run \
                exits 3. A cause of one user (unknown, suspended, unlicensed) fails only that user.
                """))
    var stopAfter: Int = EngineConfiguration.defaults.stopAfter

    @Option(
        name: .customLong("breaker-threshold"),
        help: "Identical unrecognised refusals in a row that stop the run (0: never); known causes are handled by cause.")
    var breakerThreshold: Int = EngineConfiguration.defaults.breakerThreshold

    @Flag(
        name: .customLong("retry-only"),
        help: ArgumentHelp(
            "The input lists users to retry (e.g. report --state failed), not the whole export.",
            discussion: """
                Nobody is departed for being absent from it, users the ledger does not know are left \
                alone, failed users are tried even if they rest, and the run is no baseline for the \
                next night's export-size check. A file written by 'bulkgrant report' is recognised by \
                its header and read this way without the flag (its leading ' before a formula-looking \
                address is taken off).
                """))
    var retryOnly = false

    @Flag(
        name: .customLong("retry-resting"),
        help: "Also try tonight the failed users that sit runs out after failing for the same reason several runs in a row.")
    var retryResting = false

    @Option(name: .customLong("stop-grace"), help: "Seconds calls in flight may take to finish after a stop.")
    var stopGrace: Double = EngineConfiguration.defaults.stopGrace

    @Flag(help: "Start a sandbox in this process and run against it: no account or API key needed.")
    var sandbox = false

    @Flag(help: "Print the summary as one JSON object on standard output.")
    var json = false

    @Flag(name: .customLong("no-progress"), help: "No live progress line, even on a terminal.")
    var noProgress = false

    @Flag(
        name: .customLong("no-wait"),
        help: "Microsoft: exit 3 instead of waiting when admin consent was recorded under 5 minutes ago.")
    var noWait = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .warning

    @OptionGroup(title: "Nightly operations")
    var nightly: NightlyOptions

    @OptionGroup(title: "API")
    var api: APIOptions

    func validate() throws {
        if job != nil {
            try validateJob()
            return
        }
        guard inputArgument != nil else {
            throw ValidationError("name the HR export to read (or '-' for standard input), or a job file with --job")
        }
        guard providerOption != nil else { throw ValidationError("--provider is required: google or microsoft") }
        if provider == .google && scopes.isEmpty {
            throw ValidationError(
                "Google grants need at least one --scope, e.g. --scope https://www.googleapis.com/auth/calendar")
        }
        if provider == .microsoft && !scopes.isEmpty {
            throw ValidationError(
                "--scope is for Google only: Microsoft grants take their scopes from the Azure app's admin consent")
        }
        if credentialID == nil && !sandbox {
            throw ValidationError("--credential-id is required: list the application's with `bulkgrant credentials list --provider \(provider.rawValue)`, create one with `bulkgrant credentials create`, or try --sandbox")
        }
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 1024") }
        guard rate > 0 else { throw ValidationError("--rate must be more than 0 requests per second") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        guard breakerThreshold >= 0 else { throw ValidationError("--breaker-threshold must be 0 or more") }
        guard stopAfter >= 1 else { throw ValidationError("--stop-after must be at least 1") }
        if sandbox && (api.apiURI != nil || api.region != nil) {
            throw ValidationError(
                "--sandbox starts its own API on loopback, so --api-uri and --region would be ignored: leave them out, or drop --sandbox to use that API")
        }
        guard stopGrace >= 0 else { throw ValidationError("--stop-grace must be 0 or more seconds") }
        do { _ = try rowFilters() } catch { throw ValidationError("\(error)") }
    }

    /// The export of a single run (`validate` has made sure there is one unless --job).
    var input: String { inputArgument ?? "" }
    /// The provider of a single run (`validate` has made sure there is one unless --job).
    var provider: Provider { providerOption ?? .google }

    func run() async throws {
        if let job {
            try await runJob(path: job)
            return
        }
        let began = Date()
        let logs = LogOutput.bootstrap(level: logLevel, format: nightly.logFormat)
        var metricsReport: RunReport?
        var metricsStates: [UserState: Int]?
        let code = await perform(logs: logs, report: &metricsReport, states: &metricsStates)
        if let path = nightly.metricsFile, !nightly.dryRun {
            let finished = Date()
            let metrics =
                metricsReport.map { RunMetrics(report: $0, finishedAt: finished.timeIntervalSince1970, states: metricsStates) }
                ?? RunMetrics(
                    provider: provider.rawValue, finishedAt: finished.timeIntervalSince1970,
                    durationSeconds: finished.timeIntervalSince(began), exitCode: code.rawValue)
            var final = metrics
            final.exitCode = code.rawValue
            do {
                try final.write(to: path)
            } catch {
                logs.warning("\(error)")
            }
        }
        if code != .success { throw code }
    }

    /// The run itself; returns the exit code, and the report and ledger states for the metrics.
    private func perform(logs: LogOutput, report: inout RunReport?, states: inout [UserState: Int]?) async -> ExitCode {
        let logger = logs.logger
        let credential = credentialID ?? "demo"
        guard
            let (clientConfiguration, sandboxServer) = await clientSetup(
                seeding: [.init(provider: provider, id: credential, name: "bulkgrant try-out")],
                maxConnections: concurrency, logs: logs)
        else { return Exit.input }

        let ledgerPath = ledgerPath(default: "bulkgrant.sqlite")
        if nightly.dryRun {
            let code = await dryRun(
                ledgerPath: ledgerPath, clientConfiguration: clientConfiguration, credential: credential, logs: logs)
            await sandboxServer?.stop()
            return code
        }
        let openedLedger: Ledger
        switch openLedger(ledgerPath, identity: clientConfiguration.endpoint.identity, logs: logs) {
        case .success(let opened): openedLedger = opened
        case .failure(let code):
            await sandboxServer?.stop()
            return code
        }
        if let code = await holdForConsent(ledger: openedLedger, credential: credential, logs: logs) {
            try? openedLedger.close()
            await sandboxServer?.stop()
            return code
        }

        let outcome = await withRunSession(
            clientConfiguration: clientConfiguration, ledger: openedLedger, sandbox: sandboxServer, logs: logs
        ) { client, control, started in
            try await ProvisioningRun(
                options: options(credential: credential, client: clientConfiguration), client: client,
                ledger: openedLedger, control: control, logger: logger
            ).execute(started: started)
        } finally: { _, ledger in
            states = try? await ledger.stateCounts(provider: provider.rawValue)
            if let path = nightly.htmlReport { await HTMLReportFile.writeAfterRun(from: ledger, to: path, logs: logs) }
        }
        let result: RunReport
        switch outcome {
        case .success(let finished): result = finished
        case .failure(let code): return code
        }
        report = result

        for warning in result.warnings { logs.warning(warning) }
        SummaryPrinter(report: result, sandbox: sandbox, logs: logs).print(json: json)
        return ExitCode(result.exitCode)
    }

    /// `--dry-run`: the ledger read-only and unlocked (or absent), no mutating call.
    private func dryRun(
        ledgerPath: String, clientConfiguration: NylasClientConfiguration, credential: String, logs: LogOutput
    ) async -> ExitCode {
        let readOnly: Ledger?
        switch await openLedgerForDryRun(ledgerPath, identity: clientConfiguration.endpoint.identity, logs: logs) {
        case .success(let opened): readOnly = opened
        case .failure(let code): return code
        }
        await reportConsentWait(ledger: readOnly, credential: credential, logs: logs)
        let client = NylasClient(configuration: clientConfiguration, logger: logs.logger)
        let control = RunControl()
        let signals = SignalTrap(control: control)
        signals.install()
        defer { try? readOnly?.close() }
        let result: DryRunReport
        do {
            result = try await DryRun(
                options: options(credential: credential, client: clientConfiguration), client: client,
                ledger: readOnly, ledgerPath: ledgerPath, control: control, logger: logs.logger
            ).execute()
        } catch {
            try? await client.shutdown()
            logs.error("\(error)")
            return error is InputError ? Exit.input : Exit.stopped
        }
        try? await client.shutdown()
        for warning in result.warnings { logs.warning(warning) }
        DryRunPrinter(report: result).print(json: json)
        return ExitCode(result.exitCode)
    }

    private func options(credential: String, client: NylasClientConfiguration) -> RunOptions {
        let identity = client.endpoint.identity
        var engine = EngineConfiguration(provider: provider, credentialID: credential)
        engine.scopes = scopes
        engine.concurrency = concurrency
        engine.rate = rate
        engine.maxAttempts = maxAttempts
        engine.breakerThreshold = breakerThreshold
        engine.stopAfter = stopAfter
        engine.stopGrace = stopGrace
        var options = RunOptions(inputPath: input, engine: engine)
        options.reader.format = format
        options.reader.emailColumn = emailColumn
        options.reader.filters = (try? rowFilters()) ?? []
        options.domains = Set(domains.map { $0.lowercased() })
        options.revokeDeparted = nightly.revokeDeparted
        options.maxRevoke = nightly.revocationLimit
        options.force = nightly.force
        options.repairInvalid = nightly.repairInvalid
        options.adoptExisting = nightly.adoptExisting
        options.retryResting = retryResting
        options.retryOnly = retryOnly
        options.recordedOptions = [
            "concurrency": String(concurrency), "rate": String(rate), "max_attempts": String(maxAttempts),
            "credential_id": credential, "scopes": scopes.joined(separator: " "), "api": identity,
            "revoke_departed": String(nightly.revokeDeparted), "max_revoke": nightly.revocationLimit.description,
            "force": String(nightly.force), "repair_invalid": String(nightly.repairInvalid),
            "adopt_existing": String(nightly.adoptExisting), "stop_after": String(stopAfter),
            "retry_resting": String(retryResting), "retry_only": String(retryOnly),
            "where": whereFilters.joined(separator: " | "), "exclude": excludeFilters.joined(separator: " | "),
        ].merging(client.recordedNetwork) { $1 }
        return options
    }

    var sandboxKey: String { "sandbox-try-out-key" }

}

extension InputFormat: ExpressibleByArgument {}
