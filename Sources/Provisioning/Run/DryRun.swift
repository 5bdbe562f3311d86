import Foundation
import GrantLedger
import Logging
import NylasAPI

/// `bulkgrant run --dry-run`: the plan, with no mutating API call and no ledger write.
///
/// The ledger is opened read-only and without the lock (nil when there is none yet). The only
/// calls are the `GET /v3/grants` listings the real run would make to adopt and repair, so
/// that the numbers printed are the numbers the run would act on.
public struct DryRun: Sendable {
    public let options: RunOptions
    private let client: NylasClient
    private let ledger: Ledger?
    private let ledgerPath: String
    private let control: RunControl
    private let clock: any EngineClock
    private let logger: Logger
    private let preloaded: InputSet?

    /// - Parameter preloaded: the export, when the caller has read it already.
    public init(
        options: RunOptions, client: NylasClient, ledger: Ledger?, ledgerPath: String, control: RunControl,
        clock: any EngineClock = SystemClock(), logger: Logger, preloaded: InputSet? = nil
    ) {
        self.preloaded = preloaded
        self.options = options
        self.client = client
        self.ledger = ledger
        self.ledgerPath = ledgerPath
        self.control = control
        self.clock = clock
        self.logger = logger
    }

    public func execute() async throws -> DryRunReport {
        let provider = options.engine.provider
        var scratch = RunReport(ledger: ledgerPath, provider: provider.rawValue)
        var report = DryRunReport(ledger: ledgerPath, provider: provider.rawValue, ledgerExists: ledger != nil)
        let input = try ProvisioningRun.loadInput(options, into: &scratch, preloaded: preloaded)
        report.rejectedRows = scratch.rejectedRows
        report.rejections = scratch.rejections
        report.emailColumn = scratch.emailColumn
        // What reading the export warned of (a Windows-1252 file), as the run would.
        report.warnings += scratch.warnings
        report.otherAddressColumns = scratch.otherAddressColumns
        report.duplicates = scratch.duplicates
        report.outsideDomains = scratch.outsideDomains
        report.filtered = scratch.filtered
        report.filteredReasons = scratch.filteredReasons
        guard let input else {
            report.exitCode = scratch.exitCode
            report.stopReason = scratch.stopReason
            return report
        }
        let users = try await ledger?.userRows(provider: provider.rawValue, organisation: options.organisation) ?? LedgerRows()
        let prepared = try await PreparedRun.prepare(options, input: input, users: users, ledger: ledger)
        var plan = prepared.plan
        report.exportUsers = input.exportUsers
        report.previousExportUsers = prepared.previousExportUsers
        report.revokeDeparted = options.revokeDeparted
        report.safeguard = prepared.safeguard
        report.refusal = prepared.safeguard?.refusal
        report.warnings += prepared.warnings

        // A refused run makes no call at all, so neither does its rehearsal.
        if report.refusal == nil {
            let limiter = RateLimiter(
                rate: options.engine.rate, burst: options.engine.burst,
                throttleBackoff: options.engine.throttleBackoff, clock: clock)
            let caller = LimitedCaller(limiter: limiter, control: control, configuration: options.engine, clock: clock)
            let tally = CallTally()
            let discovery = Discovery(
                options: options, listing: GrantListing(client: client, caller: caller, tally: tally),
                control: control, logger: logger)
            let (warnings, _) = await discovery.apply(to: &plan, users: users, export: input.positions)
            report.warnings += warnings
            report.listCalls = await tally.total
            if let reason = await control.stopReason {
                report.stopReason = ProvisioningRun.describe(reason)
                report.exitCode = 3
            }
        }

        let sample = Plan.sampleSize
        report.plan = [
            "new": .init(count: plan.new.count, sample: Array(plan.new.prefix(sample))),
            "granted": .init(count: plan.granted, sample: plan.grantedSample),
            "retry": .init(count: plan.retry.count, sample: plan.retry.prefix(sample).map(\.email)),
            "unknown": .init(count: plan.unknown.count, sample: plan.unknown.prefix(sample).map(\.email)),
            "repair": .init(count: plan.repair.count, sample: plan.repair.prefix(sample).map(\.email)),
            "adopted": .init(count: plan.adopted.count, sample: plan.adopted.prefix(sample).map(\.email)),
            "departed": .init(count: plan.departed.count, sample: Array(plan.departed.prefix(sample))),
            "resting": .init(count: plan.resting.count, sample: plan.resting.prefix(sample).map(\.email)),
            "unfinished_revocations": .init(
                count: plan.unfinishedRevocations.count, sample: plan.unfinishedRevocations.prefix(sample).map(\.email)),
        ]
        report.planned = plan.counts
        report.authentications = report.refusal == nil ? plan.authentications : 0
        report.lookups = report.refusal == nil ? plan.unknown.count : 0
        report.deletions =
            report.refusal == nil ? (options.revokeDeparted ? plan.departed.count : 0) + plan.unfinishedRevocations.count : 0
        return report
    }
}

/// What a dry run found: the plan, the calls the run would make, the safeguard's verdict.
public struct DryRunReport: Sendable, Codable {
    public struct Group: Sendable, Codable, Hashable {
        public var count: Int
        /// The first few addresses.
        public var sample: [String]
    }

    public var dryRun = true
    public var ledger: String
    public var provider: String
    /// False when the ledger does not exist yet (a first run).
    public var ledgerExists: Bool
    public var exportUsers = 0
    public var previousExportUsers: Int?
    public var rejectedRows = 0
    public var rejections: [RunReport.Rejection] = []
    /// The CSV column the addresses were read from, and other columns that look like one.
    public var emailColumn: String?
    public var otherAddressColumns: [String] = []
    public var duplicates = 0
    public var outsideDomains = 0
    /// Users the row filters dropped, in all and by filter (as in `RunReport`).
    public var filtered = 0
    public var filteredReasons: [RowFilter.Count] = []
    /// Each class of the plan: new, granted, retry, unknown, repair, adopted, departed.
    public var plan: [String: Group] = [:]
    /// The same counts as `RunReport.planned`.
    public var planned: [String: Int] = [:]
    /// Custom authentications the run would send (more if lookups find no grant).
    public var authentications = 0
    /// Lookups of users whose last call was cut off.
    public var lookups = 0
    /// Grants the run would delete (with `--revoke-departed`, when the safeguard allows).
    public var deletions = 0
    public var revokeDeparted = false
    public var safeguard: Safeguard?
    /// The safeguard's refusal, when it would refuse.
    public var refusal: String?
    /// `GET /v3/grants` calls this dry run made.
    public var listCalls = 0
    public var warnings: [String] = []
    public var stopReason: String?
    public var exitCode: Int32 = 0

    public init(ledger: String, provider: String, ledgerExists: Bool) {
        self.ledger = ledger
        self.provider = provider
        self.ledgerExists = ledgerExists
    }

    enum CodingKeys: String, CodingKey {
        case ledger, provider, plan, planned, authentications, lookups, deletions, safeguard, refusal, warnings
        case rejections, duplicates
        case dryRun = "dry_run"
        case ledgerExists = "ledger_exists"
        case exportUsers = "export_users"
        case previousExportUsers = "previous_export_users"
        case rejectedRows = "rejected_rows"
        case emailColumn = "email_column"
        case otherAddressColumns = "other_address_columns"
        case outsideDomains = "outside_domains"
        case filtered
        case filteredReasons = "filtered_reasons"
        case revokeDeparted = "revoke_departed"
        case listCalls = "list_calls"
        case stopReason = "stop_reason"
        case exitCode = "exit_code"
    }
}
