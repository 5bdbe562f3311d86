import Foundation
import GrantLedger

extension MorningReport {
    /// Reads the report from a ledger (opened read-only, or by a run that has just finished).
    /// - Parameter now: when the report is made, Unix seconds.
    public static func read(
        _ ledger: Ledger, configuration: Configuration = Configuration(), now: Double = Date().timeIntervalSince1970
    ) async throws -> MorningReport {
        let provider = configuration.provider
        let organisation = configuration.organisation
        let newestFirst = try await ledger.runSummaries(limit: configuration.runs, organisation: organisation)
            .filter { provider == nil || $0.provider == nil || $0.provider == provider }
        let users = try await ledger.stateCountsByOrganisation(provider: provider, organisation: organisation)
        let organisations = users.map { row in
            OrganisationRow(users: row, lastRun: newestFirst.first { $0.belongs(to: row.organisation, row.provider) })
        }
        let reasons = try await ledger.failureReasons(provider: provider, organisation: organisation, limit: .max)
        let departedTotal = users.reduce(0) { $0 + $1.counts[.revoked, default: 0] + $1.counts[.revoking, default: 0] }
        return MorningReport(
            configuration: configuration, ledger: ledger.path, apiHost: try await ledger.boundAPIHost(),
            generatedAt: now, lastRuns: lastJob(newestFirst), organisations: organisations,
            runs: newestFirst.reversed(), causes: FailureCause.group(reasons, limit: configuration.causeLimit),
            failingUsers: reasons.reduce(0) { $0 + $1.count },
            repeatFailures: try await ledger.repeatFailures(
                minimumRuns: configuration.minimumRuns, provider: provider, organisation: organisation,
                limit: configuration.listLimit),
            departed: try await ledger.departedUsers(
                provider: provider, organisation: organisation, limit: configuration.listLimit),
            departedTotal: departedTotal, keptDepartures: keptDepartures(newestFirst))
    }

    /// The newest run; when it is one organisation's run of a job, the newest run of each
    /// organisation of that job (a job records one run per organisation, one after another).
    static func lastJob(_ newestFirst: [RunSummary]) -> [RunSummary] {
        guard let newest = newestFirst.first else { return [] }
        guard newest.organisation != nil else { return [newest] }
        var seen: Set<String> = []
        var runs: [RunSummary] = []
        for run in newestFirst {
            guard let organisation = run.organisation, run.options["job"] == newest.options["job"],
                seen.insert(organisation).inserted
            else { break }
            runs.append(run)
        }
        return runs
    }

    /// Departed users whose grants the newest run of each organisation and provider left in
    /// place, and why.
    static func keptDepartures(_ newestFirst: [RunSummary]) -> [KeptDepartures] {
        var seen: Set<String> = []
        var result: [KeptDepartures] = []
        for run in newestFirst {
            guard seen.insert((run.organisation ?? "") + "\u{0}" + (run.provider ?? "")).inserted else { continue }
            let kept = (run.counts["departed"] ?? 0) - (run.counts["revoked"] ?? 0)
            guard kept > 0 else { continue }
            let kind: KeptDepartures.Kind
            let reason: String
            if run.outcome == "refused" {
                kind = .refused
                reason =
                    recordedSafeguard(run)?.refusal
                    ?? "the safeguard refused to revoke the grants of \(kept) departed users; this run did not record why: see that night's log"
            } else if run.options["revoke_departed"] != "true" {
                kind = .reported
                reason =
                    "granted earlier and absent from this run's export (or filtered out); the run was not asked to revoke: --revoke-departed (revoke_departed = true in a job file) deletes their grants, under the safeguard."
            } else {
                kind = .unfinished
                reason =
                    "the run stopped before revoking them, or their revocations failed (see Departed users below); the next run revokes them."
            }
            result.append(KeptDepartures(run: run, kind: kind, count: kept, reason: reason))
        }
        return result
    }

    /// The safeguard's verdict as the refused run recorded it, when it did.
    static func recordedSafeguard(_ run: RunSummary) -> Safeguard? {
        guard let granted = run.counts[Safeguard.grantedUsersCount], let departed = run.counts["departed"] else {
            return nil
        }
        return Safeguard(
            revocations: departed, grantedUsers: granted, exportUsers: run.exportUsers ?? 0,
            previousExportUsers: run.counts[Safeguard.previousExportCount],
            limit: run.options["max_revoke"].flatMap(RevocationLimit.init) ?? .default, force: false)
    }
}

extension RunSummary {
    /// Whether the run is of this organisation ("" for single runs) and provider.
    func belongs(to organisation: String, _ provider: String) -> Bool {
        (self.organisation ?? "") == organisation && (self.provider == nil || self.provider == provider)
    }
}
