import GrantLedger
import Logging
import NylasAPI

/// What List Grants tells a plan before anything is sent: existing grants to adopt
/// (`--adopt-existing`, automatic on an empty ledger) and invalid grants to repair
/// (`--repair-invalid`). Read-only: the dry run uses it too, so it prints the run's numbers.
struct Discovery: Sendable {
    let options: RunOptions
    let listing: GrantListing
    let control: RunControl
    let logger: Logger

    /// Whether the run adopts: asked for, or the ledger has no user of this provider yet.
    static func adopts(_ options: RunOptions, users rows: LedgerRows) -> Bool {
        options.adoptExisting || rows.isEmpty
    }

    /// Lists as the options ask and applies the answers to `plan`.
    /// - Returns: warnings to print, and whether the run is incomplete because a listing that
    ///   was asked for failed (the run goes on without it and exits 1).
    func apply(to plan: inout Plan, users: LedgerRows, export: [String: Int]) async -> (
        warnings: [String], incomplete: Bool
    ) {
        let provider = options.engine.provider
        var warnings: [String] = []
        var incomplete = false
        var repaired = false
        if Self.adopts(options, users: users) {
            do {
                let grants = try await listing.all(GrantQuery(provider: provider))
                plan.adopt(grants, provider: provider)
                if options.repairInvalid {
                    let invalid = Set(
                        grants.filter { $0.provider == provider.rawValue && !$0.isValid }.compactMap { $0.email?.lowercased() })
                    plan.repair(invalid: invalid, rows: users, export: export)
                    repaired = true
                }
                logger.info(
                    "existing grants listed",
                    metadata: ["grants.listed": .stringConvertible(grants.count), "plan.adopted": .stringConvertible(plan.adopted.count)])
            } catch {
                if error.stopped { return (warnings, incomplete) }
                if options.adoptExisting {
                    await control.stop(.fatal("--adopt-existing could not list the existing grants: \(error)"))
                    return (warnings, incomplete)
                }
                warnings.append(
                    "could not list existing grants to adopt them (\(error)); going on: custom authentication re-authenticates any grant that exists")
            }
        }
        if options.repairInvalid && !repaired {
            do {
                let grants = try await listing.all(GrantQuery(provider: provider, grantStatus: "invalid"))
                let invalid = Set(
                    grants.filter { $0.provider == provider.rawValue && !$0.isValid }.compactMap { $0.email?.lowercased() })
                plan.repair(invalid: invalid, rows: users, export: export)
                logger.info(
                    "invalid grants listed", metadata: ["grants.invalid": .stringConvertible(grants.count), "plan.repair": .stringConvertible(plan.repair.count)])
            } catch {
                if error.stopped { return (warnings, incomplete) }
                warnings.append("--repair-invalid could not list invalid grants (\(error)); rerun to repair them")
                incomplete = true
            }
        }
        return (warnings, incomplete)
    }
}
