import Foundation
import Provisioning

/// The end-of-run summary: a table for people, or one JSON object for scripts.
struct SummaryPrinter {
    let report: RunReport
    let sandbox: Bool

    func print(json: Bool) {
        for rejection in report.rejections.prefix(20) {
            Console.stderr("bulkgrant: rejected line \(rejection.line): \(rejection.reason)\n")
        }
        if report.rejectedRows > 20 {
            Console.stderr("bulkgrant: … and \(report.rejectedRows - 20) more rejected rows (all in --json, first 50)\n")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
            FileHandle.standardOutput.write(data + Data("\n".utf8))
            return
        }
        var lines: [String] = []
        lines.append(
            "bulkgrant run \(report.runID.map(String.init) ?? "-"): \(report.provider)\(sandbox ? " (sandbox)" : ""), ledger \(report.ledger)")
        func row(_ label: String, _ value: Int, _ note: String = "") {
            lines.append("  " + label.padding(toLength: 14, withPad: " ", startingAt: 0)
                + String(value).leftPad(8) + (note.isEmpty ? "" : "   " + note))
        }
        row(
            "granted", report.granted,
            report.foundByLookup > 0 ? "(\(report.foundByLookup) found by lookup after a cut-off call)" : "")
        row("skipped", report.skipped, "already granted, no call")
        row("failed", report.failed)
        row("deferred", report.deferred, report.deferred > 0 ? "retried on the next run" : "")
        if report.unfinished > 0 { row("unfinished", report.unfinished, "left for the next run") }
        row("rejected rows", report.rejectedRows)
        if report.duplicates > 0 { row("duplicates", report.duplicates, "folded into one user each") }
        if report.outsideDomains > 0 { row("other domains", report.outsideDomains, "outside --domain, skipped") }
        if report.departed > 0 {
            row("departed", report.departed, "granted earlier, absent from this export: \(report.departedSample.prefix(3).joined(separator: ", "))")
        }
        lines.append(
            "  " + "api calls".padding(toLength: 14, withPad: " ", startingAt: 0) + String(report.apiCalls).leftPad(8)
                + String(format: "   in %.1f s (%.1f calls/s)", report.durationSeconds, report.achievedRate))
        if !report.failureReasons.isEmpty {
            lines.append("Failure reasons:")
            for reason in report.failureReasons.prefix(10) {
                lines.append("  \(reason.count) × \(reason.reason) (e.g. \(reason.example))")
            }
        }
        if let stop = report.stopReason { lines.append("Stopped: \(stop)") }
        switch report.exitCode {
        case 0: lines.append("Done: every user is granted.")
        case 1: lines.append("Exit 1: some users failed or were deferred; rerun the same command to retry them.")
        case 2: lines.append("Exit 2: nothing valid to provision; fix the input and rerun.")
        default: lines.append("Exit \(report.exitCode): the run stopped; fix the cause above and rerun to resume.")
        }
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}

extension String {
    func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
