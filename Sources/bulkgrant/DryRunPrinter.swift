import Foundation
import Provisioning

/// The plan of `run --dry-run`: a table for people, or one JSON object for scripts.
struct DryRunPrinter {
    let report: DryRunReport

    static let order: [(key: String, label: String, note: String)] = [
        ("new", "new", "to be granted"),
        ("granted", "granted", "already granted, no call"),
        ("retry", "retry", "failed, deferred or pending earlier: tried again"),
        ("unknown", "unknown", "last call cut off: looked up before anything is sent"),
        ("repair", "repair", "grant listed invalid: re-authenticated"),
        ("adopted", "adopted", "existing grant recorded, no authentication"),
        ("departed", "departed", "granted earlier, absent from this export"),
        ("resting", "resting", "failed for the same reason several runs in a row: sit this run out"),
        ("unfinished_revocations", "revoking", "left by an interrupted run: the run finishes their revocation"),
    ]

    func print(json: Bool) {
        for rejection in report.rejections.prefix(20) {
            Console.stderr("bulkgrant: rejected line \(rejection.line): \(rejection.reason)\n")
        }
        if json {
            Console.json(report)
            return
        }
        var lines: [String] = []
        lines.append(
            "bulkgrant run --dry-run: \(report.provider), ledger \(report.ledger)\(report.ledgerExists ? "" : " (does not exist yet)"): nothing is created, deleted or written")
        var export = "  export        \(String(report.exportUsers).leftPad(8))   users"
        if let previous = report.previousExportUsers { export += " (previous run: \(previous))" }
        if report.rejectedRows > 0 { export += ", " + Console.counted(report.rejectedRows, "rejected row") }
        if report.duplicates > 0 { export += ", " + Console.counted(report.duplicates, "duplicate") + " folded" }
        if !report.filteredReasons.isEmpty {
            let reasons = report.filteredReasons.map { "\($0.reason): \($0.count)" }.joined(separator: ", ")
            export += ", \(report.filtered) filtered out (\(reasons))"
        }
        lines.append(export)
        if let note = SummaryPrinter.columnNote(report.emailColumn, others: report.otherAddressColumns) {
            lines.append(note)
        }
        for entry in Self.order {
            guard let group = report.plan[entry.key] else { continue }
            var line = "  " + entry.label.padding(toLength: 14, withPad: " ", startingAt: 0) + String(group.count).leftPad(8)
                + "   " + entry.note
            if !group.sample.isEmpty {
                line += ": " + group.sample.joined(separator: ", ") + (group.count > group.sample.count ? ", …" : "")
            }
            lines.append(line)
        }
        var calls = "Would send: " + Console.counted(report.authentications, "custom authentication")
        if report.lookups > 0 {
            calls += " (more if the lookups find no grant), " + Console.counted(report.lookups, "lookup")
        }
        calls += ", " + Console.counted(report.deletions, "grant deletion")
        if !report.revokeDeparted, (report.plan["departed"]?.count ?? 0) > 0 {
            calls += " (--revoke-departed would delete the departed users' grants)"
        }
        lines.append(calls + ".")
        if report.listCalls > 0 {
            lines.append("This dry run listed grants in " + Console.counted(report.listCalls, "GET /v3/grants call") + ".")
        }
        if let refusal = report.refusal {
            lines.append("The run would be REFUSED (exit 3): \(refusal)")
        } else if let safeguard = report.safeguard, safeguard.revocations > 0 {
            lines.append(
                "Safeguard: \(safeguard.revocations) revocations\(safeguard.forced && (safeguard.overLimit || safeguard.shrunk) ? " forced past the safeguard" : " within --max-revoke \(safeguard.limit)").")
        }
        if let stop = report.stopReason { lines.append("Stopped: \(stop)") }
        Console.out(lines.joined(separator: "\n") + "\n")
    }
}
