import ArgumentParser
import Foundation
import GrantLedger
import Logging
import NylasAPI
import NylasSandbox
import Onboarding
import Provisioning

/// `bulkgrant run --job job.toml`: every organisation of a job file in one process.
extension RunCommand {
    /// What a job file decides cannot also come from a flag: one source of truth for cron.
    func validateJob() throws {
        var given: [String] = []
        if inputArgument != nil { given.append("an input file") }
        if providerOption != nil { given.append("--provider") }
        if credentialID != nil { given.append("--credential-id") }
        if !scopes.isEmpty { given.append("--scope") }
        if emailColumn != nil { given.append("--email-column") }
        if format != .auto { given.append("--format") }
        if !domains.isEmpty { given.append("--domain") }
        if !whereFilters.isEmpty { given.append("--where (where = [\"Column=Value\"] per organisation)") }
        if !excludeFilters.isEmpty { given.append("--exclude (exclude = [\"Column=Value\"] per organisation)") }
        if concurrency != EngineConfiguration.defaults.concurrency { given.append("--concurrency (concurrency = …)") }
        if rate != EngineConfiguration.defaults.rate { given.append("--rate (rate = …)") }
        if maxAttempts != EngineConfiguration.defaults.maxAttempts { given.append("--max-attempts (max_attempts = …)") }
        if breakerThreshold != EngineConfiguration.defaults.breakerThreshold { given.append("--breaker-threshold (breaker_threshold = …)") }
        if stopAfter != EngineConfiguration.defaults.stopAfter { given.append("--stop-after (stop_after = …)") }
        if stopGrace != EngineConfiguration.defaults.stopGrace { given.append("--stop-grace (stop_grace = …)") }
        if nightly.revokeDeparted { given.append("--revoke-departed (revoke_departed = true)") }
        if nightly.revocationLimit != .default { given.append("--max-revoke (max_revoke = …)") }
        if nightly.repairInvalid { given.append("--repair-invalid (repair_invalid = true)") }
        if nightly.adoptExisting { given.append("--adopt-existing (adopt_existing = true)") }
        if retryOnly { given.append("--retry-only (retry a report file with a single run, without --job)") }
        if !given.isEmpty {
            throw ValidationError(
                "with --job these come from the job file, not the command line: \(given.joined(separator: ", ")); set them in the file (see examples/job.toml)")
        }
    }

    func runJob(path: String) async throws {
        let logs = LogOutput.bootstrap(level: logLevel, format: nightly.logFormat)
        let began = Date()
        var metrics: [RunMetrics] = []
        let code = await performJob(path: path, logs: logs, metrics: &metrics)
        if let metricsPath = nightly.metricsFile, !nightly.dryRun {
            let finished = Date()
            // A job that stopped before its organisations ran still says so.
            if metrics.isEmpty {
                metrics = [
                    RunMetrics(
                        provider: "job", finishedAt: finished.timeIntervalSince1970,
                        durationSeconds: finished.timeIntervalSince(began), exitCode: code.rawValue)
                ]
            }
            do { try RunMetrics.write(metrics, to: metricsPath) } catch { logs.warning("\(error)") }
        }
        if code != .success { throw code }
    }

    private func performJob(path: String, logs: LogOutput, metrics: inout [RunMetrics]) async -> ExitCode {
        let logger = logs.logger
        var job: JobFile
        do {
            job = try JobFile.load(path: path)
        } catch {
            logs.error("\(error)")
            return Exit.input
        }
        var seeds: [SandboxConfiguration.SeedCredential] = []
        for organisation in job.organisations where !seeds.contains(where: { $0.id == organisation.credentialID }) {
            seeds.append(
                .init(provider: organisation.provider, id: organisation.credentialID, name: "bulkgrant try-out \(organisation.name)"))
        }
        guard
            let (clientConfiguration, sandboxServer) = await clientSetup(
                seeding: seeds, maxConnections: job.concurrency, jobProxy: job.proxy, logs: logs)
        else { return Exit.input }
        logs.sink?.redact(clientConfiguration.apiKey.secret)
        job.recordedExtras = clientConfiguration.recordedNetwork
        let ledgerPath = ledgerPath(default: job.ledger)
        if nightly.dryRun {
            let code = await dryRunJob(job, ledgerPath: ledgerPath, clientConfiguration: clientConfiguration, logs: logs)
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
        let outcome = await withRunSession(
            clientConfiguration: clientConfiguration, ledger: openedLedger, sandbox: sandboxServer, logs: logs
        ) { client, control, started in
            try await JobRun(
                job: job, client: client, ledger: openedLedger, control: control,
                apiIdentity: clientConfiguration.endpoint.identity, logger: logger
            ).execute(
                force: nightly.force, retryResting: retryResting,
                preflight: { organisation, control in
                    await jobPreflight(organisation, ledger: openedLedger, control: control, logs: logs)
                },
                started: started)
        } finally: { report, ledger in
            // Read before the ledger closes: each organisation's users by state, for the metrics.
            let finished = Date().timeIntervalSince1970
            for organisation in report.organisations {
                var entry = RunMetrics(
                    report: organisation.report, finishedAt: finished,
                    states: try? await ledger.stateCounts(provider: organisation.provider, organisation: organisation.name))
                entry.organisation = organisation.name
                metrics.append(entry)
            }
            if let path = nightly.htmlReport ?? job.reportHTML {
                await HTMLReportFile.writeAfterRun(from: ledger, to: path, logs: logs)
            }
        }
        let report: JobReport
        switch outcome {
        case .success(let finished): report = finished
        case .failure(let code): return code
        }
        JobSummaryPrinter(report: report, sandbox: sandbox, logs: logs).print(json: json)
        return ExitCode(report.exitCode)
    }

    /// `--dry-run --job`: each organisation's plan, read-only, and what would stop the job.
    private func dryRunJob(
        _ job: JobFile, ledgerPath: String, clientConfiguration: NylasClientConfiguration, logs: LogOutput
    ) async -> ExitCode {
        let readOnly: Ledger?
        switch await openLedgerForDryRun(ledgerPath, identity: clientConfiguration.endpoint.identity, logs: logs) {
        case .success(let opened): readOnly = opened
        case .failure(let code): return code
        }
        defer { try? readOnly?.close() }
        let client = NylasClient(configuration: clientConfiguration, logger: logs.logger)
        let control = RunControl()
        let signals = SignalTrap(control: control)
        signals.install()
        var plans = JobDryRunReport(job: job.path, ledger: ledgerPath)
        var inputs: [InputSet?] = []
        for organisation in job.organisations {
            // Read once: for the plan, and for the clash check below.
            var input: InputSet?
            defer { inputs.append(input) }
            do {
                let options = try job.runOptions(for: organisation, apiIdentity: clientConfiguration.endpoint.identity)
                input = try InputSet.load(path: options.inputPath, configuration: options.reader, domains: options.domains)
                let report = try await DryRun(
                    options: options, client: client, ledger: readOnly, ledgerPath: ledgerPath, control: control,
                    logger: logs.logger, preloaded: input
                ).execute()
                plans.exitCode = max(plans.exitCode, report.exitCode)
                plans.organisations.append(.init(name: organisation.name, plan: report))
                if organisation.provider == .microsoft, let readOnly,
                    let wait = try? await ConsentGate.check(
                        ledger: readOnly, credentialID: organisation.credentialID, now: SystemConsentClock().now())
                {
                    logs.warning(
                        "organisation '\(organisation.name)': "
                            + (noWait ? wait.refusal + " (with --no-wait the run refuses it)" : wait.notice + " (the run would wait; --dry-run does not)"))
                }
                if !json {
                    Console.out("organisation '\(organisation.name)':\n")
                    DryRunPrinter(report: report).print(json: false)
                }
            } catch {
                logs.error("organisation '\(organisation.name)': \(error)")
                plans.exitCode = max(plans.exitCode, error is InputError ? 2 : 3)
                plans.organisations.append(.init(name: organisation.name, plan: nil, error: "\(error)"))
            }
        }
        try? await client.shutdown()
        // What the real run would refuse before any call.
        let memberships = (try? await readOnly?.organisationMemberships()) ?? [:]
        plans.errors = JobRun.conflicts(job.organisations, inputs: inputs, memberships: memberships)
        if !plans.errors.isEmpty { plans.exitCode = 2 }
        for error in plans.errors { logs.error(error) }
        if json {
            Console.json(plans)
        } else if !plans.errors.isEmpty {
            Console.out("the job would not start: \(plans.errors.count) address\(plans.errors.count == 1 ? " is" : "es are") in two organisations (see above)\n")
        }
        return ExitCode(plans.exitCode)
    }

    /// The plans of `--dry-run --job`, as one JSON object.
    struct JobDryRunReport: Encodable {
        struct Organisation: Encodable {
            var name: String
            var plan: DryRunReport?
            var error: String?
        }

        var job: String
        var ledger: String
        var organisations: [Organisation] = []
        var errors: [String] = []
        var exitCode: Int32 = 0

        enum CodingKeys: String, CodingKey {
            case job, ledger, organisations, errors
            case exitCode = "exit_code"
        }
    }

    /// Before an organisation starts: Microsoft's five minutes after the recorded admin consent.
    /// The organisation waits (a log line says until when) while the others run; with
    /// --no-wait it is refused. A stop (signal) during the wait ends it with nothing sent.
    private func jobPreflight(
        _ organisation: JobFile.Organisation, ledger: Ledger, control: RunControl, logs: LogOutput
    ) async -> String? {
        guard organisation.provider == .microsoft else { return nil }
        let clock = SystemConsentClock()
        let wait: ConsentWait?
        do {
            wait = try await ConsentGate.check(ledger: ledger, credentialID: organisation.credentialID, now: clock.now())
        } catch {
            return "could not read the admin consent of credential \(organisation.credentialID): \(error)"
        }
        guard let wait else { return nil }
        if noWait { return wait.refusal }
        logs.warning("organisation '\(organisation.name)': \(wait.notice)")
        let outcome = await ConsentGate.wait(wait, clock: clock, shouldStop: { await !control.isRunning })
        guard outcome == .ready else {
            return "stopped while waiting for the admin consent of credential \(organisation.credentialID) to apply; nothing sent"
        }
        return nil
    }
}
