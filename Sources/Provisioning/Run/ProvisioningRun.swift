import Foundation
import GrantLedger
import Logging
import NylasAPI

/// One `bulkgrant run`: read the export, plan against the ledger, provision, report.
public struct ProvisioningRun: Sendable {
    public let options: RunOptions
    private let client: NylasClient
    private let ledger: Ledger
    private let control: RunControl
    private let clock: any EngineClock
    private let logger: Logger

    public init(
        options: RunOptions, client: NylasClient, ledger: Ledger, control: RunControl,
        clock: any EngineClock = SystemClock(), logger: Logger
    ) {
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

        let input = try InputSet.load(path: options.inputPath, configuration: options.reader, domains: options.domains)
        report.rejectedRows = input.rejections.count
        report.rejections = input.rejections.prefix(50).map { .init(line: $0.line, reason: $0.reason) }
        report.duplicates = input.duplicates
        report.outsideDomains = input.outsideDomains
        guard !input.emails.isEmpty else {
            report.exitCode = 2
            report.stopReason =
                input.rejections.isEmpty
                ? "no address to provision in \(options.inputPath) (all outside --domain?)"
                : "no valid address in \(options.inputPath): every row was rejected"
            report.durationSeconds = clock.now() - begin
            return report
        }

        let emails = input.emails.map(\.value)
        let plan = Plan.make(emails: emails, ledger: try await ledger.users(provider: provider))
        report.skipped = plan.granted
        report.departed = plan.departed.count
        report.departedSample = Array(plan.departed.prefix(10))
        report.planned = [
            "new": plan.new.count, "granted": plan.granted, "retry": plan.retry.count, "unknown": plan.unknown.count,
            "departed": plan.departed.count,
        ]

        var recorded = options.recordedOptions
        recorded["provider"] = provider
        let optionsJSON = String(decoding: (try? JSONEncoder().encode(recorded)) ?? Data(), as: UTF8.self)
        let runID = try await ledger.startRun(
            RunRecord(
                startedAt: Date().timeIntervalSince1970, pid: ProcessInfo.processInfo.processIdentifier,
                inputPath: options.inputPath, inputSHA256: nil, options: optionsJSON))
        report.runID = runID

        let newIDs = try await ledger.insertPending(emails: plan.new, provider: provider, runID: runID)
        var items: [WorkItem] = plan.unknown.map { WorkItem(userID: $0.id, email: $0.email, needsReconcile: true) }
        items += plan.retry.map { WorkItem(userID: $0.id, email: $0.email, needsReconcile: false) }
        items += plan.new.compactMap { email in
            newIDs[email].map { WorkItem(userID: $0, email: email, needsReconcile: false) }
        }
        logger.info(
            "plan",
            metadata: [
                "plan.new": "\(plan.new.count)", "plan.retry": "\(plan.retry.count)",
                "plan.unknown": "\(plan.unknown.count)", "plan.granted": "\(plan.granted)",
                "plan.departed": "\(plan.departed.count)",
            ])

        let progress = RunProgress(total: items.count, clock: clock)
        await started(progress)
        let engineStart = clock.now()
        let engine = ProvisioningEngine(
            configuration: options.engine, client: client, ledger: ledger, control: control, clock: clock,
            logger: logger)
        let result = items.isEmpty ? EngineResult() : await engine.run(items, runID: runID, progress: progress)
        let engineTime = clock.now() - engineStart

        report.granted = result.granted
        report.foundByLookup = result.foundByLookup
        report.failed = result.failed
        report.deferred = result.deferred
        report.unfinished = result.stopped + result.notStarted
        report.apiCalls = result.apiCalls
        report.achievedRate = engineTime > 0 ? Double(result.apiCalls) / engineTime : 0
        report.failureReasons = result.failureReasons
            .map { .init(reason: $0.key, count: $0.value.count, example: $0.value.example) }
            .sorted { $0.count > $1.count }
        if let reason = await control.stopReason {
            report.stopReason = Self.describe(reason)
            report.exitCode = 3
        } else if result.failed + result.deferred > 0 {
            report.exitCode = 1
        }
        report.durationSeconds = clock.now() - begin

        let counts = String(decoding: (try? JSONEncoder().encode(report.planned)) ?? Data(), as: UTF8.self)
        let outcome = report.exitCode == 0 ? "ok" : report.exitCode == 1 ? "incomplete" : "stopped"
        try? await ledger.finishRun(id: runID, outcome: outcome, exitCode: Int(report.exitCode), counts: counts)
        return report
    }

    static func describe(_ reason: RunControl.StopReason) -> String {
        switch reason {
        case .signal(let name): return "stopped by \(name); rerun to resume"
        case .fatal(let message): return "stopped: \(message)"
        case .breaker(let message): return "circuit breaker: \(message)"
        case .ledger(let message): return "stopped: \(message)"
        }
    }
}
