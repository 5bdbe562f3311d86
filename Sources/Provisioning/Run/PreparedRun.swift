import Foundation
import GrantLedger
import NylasAPI

/// What the run and its dry run both decide before any call: the export read, compared with
/// the ledger, the users that rest, a retry-only input's limits, the export-size baseline and
/// the safeguard's verdict. One place, so that `--dry-run` prints what the run will do.
struct PreparedRun: Sendable {
    var input: InputSet
    var users: LedgerRows
    var plan: Plan
    /// The export size of the last run of the same provider, organisation and scope.
    var previousExportUsers: Int?
    /// The input lists users to retry (`--retry-only`, or a `bulkgrant report` file).
    var retryOnly: Bool
    /// With `retryOnly`, addresses the ledger does not know: left alone.
    var notInLedger: [String] = []
    var safeguard: Safeguard?
    var warnings: [String] = []

    /// Plans `input` against `users`. `ledger` is nil for a dry run before the first run.
    static func prepare(_ options: RunOptions, input: InputSet, users: LedgerRows, ledger: Ledger?) async throws
        -> PreparedRun
    {
        let provider = options.engine.provider.rawValue
        var plan = Plan.make(emails: input.emails, positions: input.positions, ledger: users)
        plan.keepDeparted(inDomains: options.domains)
        let retryOnly = options.retryOnly || input.summary.isBulkgrantReport
        var prepared = PreparedRun(
            input: input, users: users, plan: plan, previousExportUsers: nil, retryOnly: retryOnly)
        if retryOnly {
            prepared.limitToRetries(reportFile: input.summary.isBulkgrantReport && !options.retryOnly)
        } else if let ledger {
            let resting = options.retryResting
                ? [] : try await ledger.restingUsers(provider: provider, organisation: options.organisation)
            prepared.plan.rest(Set(resting.map(\.id)))
        }
        // Users the filters dropped count in the export's size: see InputSet.exportUsers.
        prepared.plan.exportUsers = input.exportUsers
        if !retryOnly, let ledger {
            prepared.previousExportUsers = try await ledger.previousExportSize(
                provider: provider, organisation: options.organisation, scope: options.scope)
        }
        prepared.safeguard = ProvisioningRun.safeguard(
            options, plan: prepared.plan, users: users, previous: prepared.previousExportUsers)
        if !options.revokeDeparted, !retryOnly,
            Safeguard.isShrunk(export: input.exportUsers, previous: prepared.previousExportUsers),
            let previous = prepared.previousExportUsers
        {
            prepared.warnings.append(
                "the export has \(input.exportUsers) users, fewer than \(Int(Safeguard.shrinkThreshold * 100))% of the previous run's \(previous): check that it is complete")
        }
        return prepared
    }

    /// A list of users to retry is not the export: nobody is departed from it, and only users
    /// the ledger knows are tried (resting ones included: they were asked for by name).
    private mutating func limitToRetries(reportFile: Bool) {
        notInLedger = plan.new
        plan.new = []
        plan.departed = []
        plan.departedUsers = []
        let how = reportFile ? "read as a bulkgrant report (its header)" : "--retry-only"
        warnings.append(
            "\(input.emails.count) \(input.emails.count == 1 ? "user" : "users") to retry, \(how): nobody is departed, and this run is no baseline for the next night's export-size check")
        if !notInLedger.isEmpty {
            warnings.append(
                "\(notInLedger.count) \(notInLedger.count == 1 ? "address is" : "addresses are") not in the ledger and left alone (e.g. \(notInLedger[0])): a retry only takes users bulkgrant knows; run the whole export to add new users")
        }
    }

    /// What the run records as its export size: nothing for a retry, which is no baseline.
    var recordedExportUsers: Int? { retryOnly ? nil : input.exportUsers }
}
