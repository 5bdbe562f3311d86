import Foundation
import GrantLedger
import Logging
import NylasAPI

/// `bulkgrant run --job`: every organisation of a job file in one process, sharing one ledger,
/// one rate limiter and one concurrency limit handed out in turns. Each organisation keeps its
/// own plan, safeguard, stop switch and summary: a revoked consent in one stops that one only.
public struct JobRun: Sendable {
    /// Called before an organisation starts, with its stop switch; returns a reason to stop
    /// it (exit 3) without any call, or nil to go on. Microsoft's consent wait lives here.
    public typealias Preflight = @Sendable (JobFile.Organisation, RunControl) async -> String?

    public let job: JobFile
    private let client: NylasClient
    private let ledger: Ledger
    private let control: RunControl
    private let clock: any EngineClock
    private let logger: Logger
    private let apiIdentity: String

    /// - Parameter control: the job's stop switch (signals); each organisation gets its own,
    ///   which follows this one.
    public init(
        job: JobFile, client: NylasClient, ledger: Ledger, control: RunControl, apiIdentity: String,
        clock: any EngineClock = SystemClock(), logger: Logger
    ) {
        self.job = job
        self.client = client
        self.ledger = ledger
        self.control = control
        self.apiIdentity = apiIdentity
        self.clock = clock
        self.logger = logger
    }

    /// Runs the job. `force` is `--force` from the command line (never from the file: it
    /// overrides the safeguard, a decision for a person on the night).
    public func execute(
        force: Bool = false, retryResting: Bool = false, preflight: @escaping Preflight = { _, _ in nil },
        started: @Sendable (RunProgress) async -> Void = { _ in }
    ) async throws -> JobReport {
        let begin = clock.now()
        var report = JobReport(job: job.path, ledger: ledger.path)

        // Every export is read first: an address that two organisations list (or that the
        // ledger records under another organisation) must stop the job before any call.
        var loaded: [(options: RunOptions, input: InputSet?, report: RunReport)] = []
        for organisation in job.organisations {
            var options = try job.runOptions(for: organisation, apiIdentity: apiIdentity)
            options.force = force
            options.retryResting = retryResting
            var runReport = RunReport(ledger: ledger.path, provider: organisation.provider.rawValue)
            do {
                let input = try ProvisioningRun.loadInput(options, into: &runReport)
                loaded.append((options, input, runReport))
            } catch {
                runReport.exitCode = 2
                runReport.stopReason = "\(error)"
                loaded.append((options, nil, runReport))
            }
        }
        let memberships = try await ledger.organisationMemberships()
        report.errors = Self.summarise(
            Self.conflicts(job.organisations, inputs: loaded.map(\.input), memberships: memberships))
        if !report.errors.isEmpty {
            report.exitCode = 2
            report.durationSeconds = clock.now() - begin
            return report
        }
        for (organisation, entry) in zip(job.organisations, loaded) {
            guard let input = entry.input else { continue }
            let claimed = try await ledger.claim(
                emails: input.emails.map(\.value), provider: organisation.provider.rawValue, organisation: organisation.name)
            if claimed > 0 {
                logger.notice(
                    "organisation claimed users of earlier single runs",
                    metadata: ["organisation": "\(organisation.name)", "users": .stringConvertible(claimed)])
            }
        }

        let shared = SharedPacing(
            limiter: RateLimiter(
                rate: job.rate, burst: EngineConfiguration.defaults.burst,
                throttleBackoff: EngineConfiguration.defaults.throttleBackoff, clock: clock),
            gate: FairGate(slots: job.concurrency), progress: RunProgress(total: 0, clock: clock))
        await started(shared.progress)
        let parent = control
        let clock = self.clock
        report.organisations = await withTaskGroup(of: (Int, JobReport.Organisation).self) { group in
            for (index, (organisation, entry)) in zip(job.organisations, loaded).enumerated() {
                group.addTask {
                    let own = RunControl(clock: clock)
                    await parent.whenStopped {
                        Task { if let reason = await parent.stopReason { await own.stop(reason) } }
                    }
                    var runReport = entry.report
                    if entry.input != nil {
                        runReport = await self.runOrganisation(
                            organisation, index: index, options: entry.options, input: entry.input, control: own,
                            shared: shared, preflight: preflight, fallback: runReport)
                    }
                    return (
                        index,
                        JobReport.Organisation(
                            name: organisation.name, provider: organisation.provider.rawValue,
                            credentialID: organisation.credentialID, report: runReport,
                            finishedAfterSeconds: clock.now() - begin)
                    )
                }
            }
            var results: [(Int, JobReport.Organisation)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        report.exitCode = report.organisations.map(\.report.exitCode).max() ?? 0
        report.durationSeconds = clock.now() - begin
        return report
    }

    private func runOrganisation(
        _ organisation: JobFile.Organisation, index: Int, options: RunOptions, input: InputSet?, control: RunControl,
        shared: SharedPacing, preflight: Preflight, fallback: RunReport
    ) async -> RunReport {
        var logger = self.logger
        logger[metadataKey: "organisation"] = "\(organisation.name)"
        if let refusal = await preflight(organisation, control) {
            var report = fallback
            report.exitCode = 3
            report.stopReason = refusal
            return report
        }
        do {
            return try await ProvisioningRun(
                options: options, client: client, ledger: ledger, control: control, clock: clock, logger: logger,
                shared: shared, organisationIndex: index, preloaded: input
            ).execute()
        } catch {
            var report = fallback
            report.exitCode = error is InputError ? 2 : 3
            report.stopReason = "\(error)"
            return report
        }
    }

    /// Addresses listed by two organisations of the job, or listed by one and recorded under
    /// another in the ledger: each names both organisations.
    /// The first `shown` clashes, then one line for the rest: a mail of 37 lines says less
    /// than ten and a count.
    public static func summarise(_ conflicts: [String], shown: Int = 10) -> [String] {
        guard conflicts.count > shown else { return conflicts }
        return Array(conflicts.prefix(shown))
            + ["… and \(conflicts.count - shown) more addresses in two organisations (\(conflicts.count) in all)"]
    }

    public static func conflicts(
        _ organisations: [JobFile.Organisation], inputs: [InputSet?], memberships: [String: OrganisationMembership]
    ) -> [String] {
        var owner: [String: String] = [:]
        var problems: [String] = []
        for (organisation, input) in zip(organisations, inputs) {
            guard let input else { continue }
            for address in input.emails {
                let email = address.value
                if let first = owner[email], first != organisation.name {
                    problems.append(
                        "\(email) is in the exports of both organisation '\(first)' and organisation '\(organisation.name)': an address belongs to one organisation; remove it from one export")
                } else if let recorded = memberships[email], recorded.organisation != organisation.name,
                    recorded.state != .revoked
                {
                    // A revoked user holds no grant: the person moved, and the new organisation takes them.
                    problems.append(
                        "\(email) is in the export of organisation '\(organisation.name)' but the ledger records it under organisation '\(recorded.organisation)' (\(recorded.state.rawValue)): remove it from one of them; if the person moved, revoke the old grant first (bulkgrant grants delete GRANT_ID --ledger LEDGER; bulkgrant report --org \(recorded.organisation) shows the id)")
                }
                owner[email] = organisation.name
            }
        }
        return problems
    }
}
