import Foundation
import GrantLedger
import Logging
import NylasAPI

/// One `bulkgrant run`: read the export, plan against the ledger, check the safeguard, adopt
/// and find invalid grants, provision, revoke the departed, report.
public struct ProvisioningRun: Sendable {
    public let options: RunOptions
    private let client: NylasClient
    private let ledger: Ledger
    private let control: RunControl
    private let clock: any EngineClock
    private let logger: Logger
    private let shared: SharedPacing?
    private let turn: SharedPacing.Turn?
    private let preloaded: InputSet?

    /// - Parameters:
    ///   - shared: in a multi-organisation job, the job's limiter, turns and progress, and
    ///     `organisationIndex` this run's place in the turns.
    ///   - preloaded: the export, when the caller has read it already (a job reads every
    ///     organisation's export first to find an address listed by two organisations).
    public init(
        options: RunOptions, client: NylasClient, ledger: Ledger, control: RunControl,
        clock: any EngineClock = SystemClock(), logger: Logger,
        shared: SharedPacing? = nil, organisationIndex: Int = 0, preloaded: InputSet? = nil
    ) {
        self.shared = shared
        self.turn = shared?.turn(organisationIndex)
        self.preloaded = preloaded
        self.options = options
        self.client = client
        self.ledger = ledger
        self.control = control
        self.clock = clock
        self.logger = logger
    }

    /// Runs it. Throws `InputError` for an unusable input file and `LedgerError` when the
    /// ledger cannot be read; every other problem ends up in the report and its exit code.
    /// - Parameter started: called once the work is known, with the progress to display.
    public func execute(started: @Sendable (RunProgress) async -> Void = { _ in }) async throws -> RunReport {
        let begin = clock.now()
        let provider = options.engine.provider.rawValue
        var report = RunReport(ledger: ledger.path, provider: provider)

        // The ledger is read on SQLite's thread while the export is parsed on this one.
        async let ledgerRows = ledger.userRows(provider: provider, organisation: options.organisation)
        guard let input = try Self.loadInput(options, into: &report, preloaded: preloaded) else {
            report.durationSeconds = clock.now() - begin
            return report
        }
        let users = try await ledgerRows
        let prepared = try await PreparedRun.prepare(options, input: input, users: users, ledger: ledger)
        var plan = prepared.plan
        report.exportUsers = input.exportUsers
        report.previousExportUsers = prepared.previousExportUsers
        report.retryOnly = prepared.retryOnly
        report.notInLedger = prepared.notInLedger.count
        report.departed = plan.departed.count
        report.resting = plan.resting.count
        report.departedSample = Array(plan.departed.prefix(10))
        let safeguard = prepared.safeguard
        report.safeguard = safeguard
        report.warnings += prepared.warnings

        var recorded = options.recordedOptions
        recorded["provider"] = provider
        if let organisation = options.organisation { recorded["organisation"] = organisation }
        let optionsJSON = String(decoding: (try? JSONEncoder().encode(recorded)) ?? Data(), as: UTF8.self)
        let runID = try await ledger.startRun(
            RunRecord(
                startedAt: Date().timeIntervalSince1970, pid: ProcessInfo.processInfo.processIdentifier,
                inputPath: options.inputPath, inputSHA256: InputDigest.sha256(path: options.inputPath),
                options: optionsJSON))
        report.runID = runID
        try await ledger.recordExport(
            runID: runID, provider: provider, organisation: options.organisation, scope: options.scope,
            exportUsers: prepared.recordedExportUsers)

        // The safeguard refuses before any call and any change: a truncated export is a
        // person's problem, not tonight's job.
        if let safeguard, let refusal = safeguard.refusal {
            logger.notice("safeguard refused the run", metadata: ["revocations": .stringConvertible(safeguard.revocations)])
            report.planned = plan.counts
            report.departedAction = "refused"
            report.stopReason = refusal
            if !plan.unfinishedRevocations.isEmpty {
                report.revocationsUnfinished = plan.unfinishedRevocations.count
                report.warnings.append(
                    "\(plan.unfinishedRevocations.count) revocations left by an interrupted run stay unfinished while the safeguard refuses; the next run it lets through finishes them")
            }
            report.exitCode = 3
            report.durationSeconds = clock.now() - begin
            await finish(&report, runID: runID, outcome: "refused")
            return report
        }

        let engineConfiguration = await Self.withCredentialFacts(options.engine, ledger: ledger)
        let limiter =
            shared?.limiter
            ?? RateLimiter(
                rate: options.engine.rate, burst: options.engine.burst, throttleBackoff: options.engine.throttleBackoff,
                clock: clock)
        let caller = LimitedCaller(limiter: limiter, control: control, configuration: engineConfiguration, clock: clock)
        let tally = CallTally()
        let discovery = Discovery(
            options: options, listing: GrantListing(client: client, caller: caller, tally: tally), control: control,
            logger: logger)
        let (warnings, discoveryIncomplete) = await discovery.apply(to: &plan, users: users, export: input.positions)
        report.warnings += warnings
        report.planned = plan.counts
        report.skipped = plan.granted
        report.adopted = plan.adopted.count
        report.repaired = plan.repair.count
        logger.info(
            "plan",
            metadata: [
                "plan.new": .stringConvertible(plan.new.count), "plan.retry": .stringConvertible(plan.retry.count),
                "plan.unknown": .stringConvertible(plan.unknown.count), "plan.granted": .stringConvertible(plan.granted),
                "plan.repair": .stringConvertible(plan.repair.count), "plan.adopted": .stringConvertible(plan.adopted.count),
                "plan.departed": .stringConvertible(plan.departed.count), "run.id": .stringConvertible(runID),
            ])

        var engineResult = EngineResult()
        var engineTime = 0.0
        if await control.isRunning {
            let items = try await record(&plan, runID: runID)
            let progress: RunProgress
            if let shared {
                progress = shared.progress
                await progress.add(total: items.count)
            } else {
                progress = RunProgress(total: items.count, clock: clock)
            }
            await started(progress)
            let engineStart = clock.now()
            let engine = ProvisioningEngine(
                configuration: engineConfiguration, client: client, ledger: ledger, control: control, clock: clock,
                logger: logger)
            if !items.isEmpty {
                engineResult = await engine.run(items, runID: runID, progress: progress, limiter: limiter, turn: turn)
            }
            engineTime = clock.now() - engineStart
        }

        // Revocations an interrupted run left are finished whatever tonight's flags: they were
        // decided (and let through by the safeguard) then.
        var revoking = plan.unfinishedRevocations
        if options.revokeDeparted && !plan.departedUsers.isEmpty {
            report.departedAction = await control.isRunning ? "revoked" : "skipped"
            revoking += plan.departedUsers
        }
        var revocation = Revoker.Result()
        if !revoking.isEmpty {
            if await control.isRunning {
                let grantIDs = try await ledger.grantIDs(userIDs: revoking.map(\.id))
                let revoker = Revoker(
                    client: client, ledger: ledger, runID: runID, provider: options.engine.provider, caller: caller,
                    concurrency: options.engine.concurrency, logger: logger)
                revocation = await revoker.revoke(
                    revoking.map { .init(userID: $0.id, email: $0.email, grantID: grantIDs[$0.id]) })
            } else {
                revocation.unfinished = revoking.count
            }
        }
        report.revocationsFinished = plan.unfinishedRevocations.count

        report.granted = engineResult.granted
        report.foundByLookup = engineResult.foundByLookup
        report.failed = engineResult.failed
        report.deferred = engineResult.deferred
        report.deferredInFlight = engineResult.deferredUnknown
        report.unfinished = engineResult.stopped + engineResult.notStarted
        report.revoked = revocation.revoked
        report.revokedAlreadyGone = revocation.alreadyGone
        report.revocationsUnfinished = revocation.unfinished
        report.achievedRate = engineTime > 0 ? Double(engineResult.apiCalls) / engineTime : 0
        var failures = engineResult.failures
        failures.merge(revocation.failures)
        report.failureReasons = failures.sorted
        report.callsByStatus = Self.merge((try? await ledger.callsByStatus(runID: runID)) ?? [], await tally.calls)
        report.apiCalls = report.callsByStatus.reduce(0) { $0 + $1.count }
        report.rateLimited = report.callsByStatus.filter { $0.status == 429 }.reduce(0) { $0 + $1.count }

        // No call of the night reached the API (connect, tunnel or handshake failed each time):
        // a person must look, whatever each failure said alone.
        if report.apiCalls > 0, !control.reach.isMarked, await control.isRunning {
            let example = report.failureReasons.first.map { ": \($0.reason)" } ?? ""
            await control.stop(
                .fatal(
                    "no call of this run reached the API (\(report.apiCalls) tried)\(example); check the network path (DNS, proxy, firewall) and --api-uri/--region, then rerun: every user is still pending"
                ))
        }
        if let reason = await control.stopReason {
            report.stopReason = Self.describe(reason)
            if case .cause(let stop) = reason { report.stopCause = .init(stop) }
            report.exitCode = 3
        } else if engineResult.failed + engineResult.deferred + revocation.unfinished + report.resting > 0
            || discoveryIncomplete
        {
            report.exitCode = 1
        }
        report.durationSeconds = clock.now() - begin
        await finish(
            &report, runID: runID,
            outcome: report.exitCode == 0 ? "ok" : report.exitCode == 1 ? "incomplete" : "stopped")
        return report
    }

    /// Writes adoptions, repairs and new users to the ledger; returns the engine's work.
    private func record(_ plan: inout Plan, runID: Int64) async throws -> [WorkItem] {
        let provider = options.engine.provider.rawValue
        let adoptedNew = plan.adopted.filter { $0.userID == nil }.map(\.email)
        let newIDs = try await ledger.insertPending(
            emails: plan.new + adoptedNew, provider: provider, organisation: options.organisation ?? "", runID: runID)
        let now = Date().timeIntervalSince1970
        var updates: [UserUpdate] = []
        for adoption in plan.adopted {
            guard let id = adoption.userID ?? newIDs[adoption.email] else { continue }
            updates.append(
                UserUpdate(
                    userID: id, state: .granted, grantID: adoption.grantID, credentialID: adoption.credentialID,
                    clearsError: true, runID: runID,
                    attempt: AttemptRecord(
                        userID: id, runID: runID, at: now, call: GrantListing.call, outcome: "adopted", status: 200,
                        requestID: nil, errorType: nil)))
        }
        for user in plan.repair {
            updates.append(
                UserUpdate(
                    userID: user.id, state: .pending, runID: runID,
                    attempt: AttemptRecord(
                        userID: user.id, runID: runID, at: now, call: GrantListing.call, outcome: "invalid", status: 200,
                        requestID: nil, errorType: nil)))
        }
        try await ledger.apply(updates)
        // New users first: a user who failed on an earlier night must not hold up a new hire.
        var items: [WorkItem] = plan.unknown.map { WorkItem(userID: $0.id, email: $0.email, needsReconcile: true) }
        items += plan.new.compactMap { email in
            newIDs[email].map { WorkItem(userID: $0, email: email, needsReconcile: false) }
        }
        items += plan.repair.map { WorkItem(userID: $0.id, email: $0.email, needsReconcile: false) }
        items += plan.retry.map { WorkItem(userID: $0.id, email: $0.email, needsReconcile: false) }
        return items
    }

    private func finish(_ report: inout RunReport, runID: Int64, outcome: String) async {
        var counts = report.planned
        counts["export_users"] = report.exportUsers
        counts["filtered"] = report.filtered
        counts["granted_now"] = report.granted
        counts["failed"] = report.failed
        counts["deferred"] = report.deferred
        counts["unfinished"] = report.unfinished
        counts["revoked"] = report.revoked
        counts["api_calls"] = report.apiCalls
        counts["rate_limited"] = report.rateLimited
        if let safeguard = report.safeguard {
            // Enough to say the safeguard's verdict again from the ledger (the morning report).
            counts[Safeguard.grantedUsersCount] = safeguard.grantedUsers
            if let previous = safeguard.previousExportUsers { counts[Safeguard.previousExportCount] = previous }
        }
        let json = String(decoding: (try? JSONEncoder().encode(counts)) ?? Data(), as: UTF8.self)
        do {
            try await ledger.finishRun(id: runID, outcome: outcome, exitCode: Int(report.exitCode), counts: json)
        } catch {
            report.warnings.append("could not record the end of the run in the ledger: \(error)")
        }
    }

    // MARK: Shared with the dry run

    /// The engine's settings with what bulkgrant recorded of the credential when it created it
    /// (the client id a fix names).
    static func withCredentialFacts(_ configuration: EngineConfiguration, ledger: Ledger) async -> EngineConfiguration {
        var configuration = configuration
        guard let facts = try? await ledger.credentialFacts(id: configuration.credentialID) else { return configuration }
        switch configuration.provider {
        case .google:
            configuration.serviceAccountClientID = configuration.serviceAccountClientID ?? facts.clientID
            configuration.serviceAccountEmail = configuration.serviceAccountEmail ?? facts.clientEmail
        case .microsoft:
            configuration.azureClientID = configuration.azureClientID ?? facts.clientID
        }
        return configuration
    }

    /// Loads the export; nil (with exit code 2 in `report`) when no address is left.
    static func loadInput(_ options: RunOptions, into report: inout RunReport, preloaded: InputSet? = nil) throws
        -> InputSet?
    {
        let input =
            try preloaded ?? InputSet.load(path: options.inputPath, configuration: options.reader, domains: options.domains)
        report.rejectedRows = input.rejections.count
        report.emailColumn = input.summary.emailColumn
        report.otherAddressColumns = input.summary.otherAddressColumns
        report.rejections = input.rejections.prefix(50).map { .init(line: $0.line, reason: $0.reason) }
        report.duplicates = input.duplicates
        report.outsideDomains = input.outsideDomains
        report.filtered = input.filteredTotal
        report.filteredReasons = input.filtered
        report.filteredWithoutAddress = input.filteredWithoutAddress
        if input.summary.undecodableRows > 0 {
            let rows = input.summary.undecodableRows
            report.warnings.append(
                "\(rows) \(rows == 1 ? "row holds" : "rows hold") text that is not UTF-8 outside the address (first: line \(input.summary.firstUndecodableLine ?? 0)); \(rows == 1 ? "it was" : "they were") read by the address. The file may be saved as Windows-1252: convert it with iconv -f WINDOWS-1252 -t UTF-8")
        }
        guard !input.emails.isEmpty else {
            report.exitCode = 2
            let domains = options.domains.sorted().joined(separator: ", ")
            // Nothing left is refused rather than run: every grant would count as departed.
            let reasons = input.filtered.filter { $0.count > 0 }.map { "\($0.reason): \($0.count)" }
            report.stopReason =
                input.filteredTotal > 0
                ? "no address to provision in \(options.inputPath): the row filters dropped every user (\(reasons.joined(separator: ", ")))"
                    + (input.outsideDomains > 0 ? " or they are outside --domain \(domains)" : "")
                    + "; check the --where and --exclude values against the file"
                : input.outsideDomains > 0
                ? "no address to provision in \(options.inputPath): all \(input.outsideDomains) valid addresses are outside --domain \(domains)"
                : input.rejections.isEmpty
                    ? "no address in \(options.inputPath): it has a header but no data rows; check that the export finished"
                    : "no valid address in \(options.inputPath): every row was rejected"
            return nil
        }
        return input
    }

    /// The safeguard's verdict when the run revokes; nil otherwise.
    static func safeguard(_ options: RunOptions, plan: Plan, users: LedgerRows, previous: Int?)
        -> Safeguard?
    {
        guard options.revokeDeparted else { return nil }
        // The base of a percentage: users holding a grant, within --domain when it is given.
        let domains = options.normalisedDomains
        let granted = users.reduce(0) { count, row in
            guard row.state == .granted || row.state == .revoking else { return count }
            if !domains.isEmpty, let at = row.email.lastIndex(of: "@"),
                !domains.contains(String(row.email[row.email.index(after: at)...]))
            {
                return count
            }
            return count + 1
        }
        return Safeguard(
            revocations: plan.departed.count, grantedUsers: granted, exportUsers: plan.exportUsers,
            previousExportUsers: previous, limit: options.maxRevoke, force: options.force)
    }

    static func merge(_ lists: [CallCount]...) -> [CallCount] {
        var counts: [String: [Int: Int]] = [:]
        for list in lists {
            for entry in list { counts[entry.call, default: [:]][entry.status, default: 0] += entry.count }
        }
        return counts.flatMap { call, statuses in statuses.map { CallCount(call: call, status: $0.key, count: $0.value) } }
            .sorted { ($0.call, $0.status) < ($1.call, $1.status) }
    }

    static func describe(_ reason: RunControl.StopReason) -> String {
        switch reason {
        case .signal(let name): return "stopped by \(name); rerun to resume"
        case .fatal(let message): return message
        case .cause(let stop): return stop.summary
        case .breaker(let message): return "circuit breaker: \(message)"
        case .ledger(let message): return message
        }
    }
}
