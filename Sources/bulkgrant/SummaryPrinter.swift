import Foundation
import Logging
import Provisioning

/// The end-of-run summary: a table for people, or one JSON object for scripts.
struct SummaryPrinter {
    let report: RunReport
    let sandbox: Bool
    var logs: LogOutput? = nil
    /// The first line instead of "bulkgrant run N: provider…" (a job's organisation).
    var heading: String? = nil
    /// Whether to end with the exit line; a job prints one for all its organisations.
    var closing = true
    /// Put before each diagnostic line (a job's "organisation 'acme': ").
    var diagnosticPrefix = ""

    func print(json: Bool) {
        for rejection in report.rejections.prefix(20) {
            diagnostic("rejected line \(rejection.line): \(rejection.reason)")
        }
        if report.rejectedRows > 20 {
            diagnostic("… and " + Console.counted(report.rejectedRows - 20, "more rejected row") + " (all in --json, first 50)")
        }
        // Why the run stopped also goes to standard error, where cron's error log looks for it,
        // unless the summary itself is on a terminal.
        if report.exitCode >= 2, let stop = report.stopReason, json || isatty(STDOUT_FILENO) != 1 {
            diagnostic(stop, level: .error)
        }
        // JSON logs carry each cause once, with its count, an example and the fix.
        if let logs, logs.isJSON {
            for reason in report.failureReasons {
                logs.logger.notice(
                    "failure cause",
                    metadata: [
                        "failure.cause": "\(reason.cause)", "failure.count": .stringConvertible(reason.count),
                        "failure.example": "\(reason.example)", "failure.reason": "\(reason.reason)",
                        "failure.fix": "\(reason.fix ?? "")",
                    ])
            }
        }
        if json {
            Console.json(report)
            return
        }
        var lines: [String] = []
        lines.append(
            heading
                ?? "bulkgrant run \(report.runID.map(String.init) ?? "-"): \(report.provider)\(sandbox ? " (sandbox)" : ""), ledger \(report.ledger)")
        func row(_ label: String, _ value: Int, _ note: String = "") {
            lines.append("  " + label.padding(toLength: 14, withPad: " ", startingAt: 0)
                + String(value).leftPad(8) + (note.isEmpty ? "" : "   " + note))
        }
        row(
            "granted", report.granted,
            report.foundByLookup > 0 ? "(\(report.foundByLookup) found by lookup after a cut-off call)" : "")
        row("skipped", report.skipped, "already granted, no call")
        if report.adopted > 0 { row("adopted", report.adopted, "existing grants recorded, no authentication") }
        if report.repaired > 0 { row("repaired", report.repaired, "grants listed invalid, sent to re-authentication") }
        row("failed", report.failed)
        row(
            "deferred", report.deferred,
            report.deferred == 0
                ? ""
                : "retried on the next run"
                    + (report.deferredInFlight > 0
                        ? " (\(report.deferredInFlight) left in_flight: their last call's outcome is unknown, so they are looked up first)"
                        : ""))
        if report.resting > 0 {
            row("resting", report.resting, "failed for the same reason several runs in a row: tried less often (--retry-resting tries them now)")
        }
        if report.unfinished > 0 { row("unfinished", report.unfinished, "left for the next run") }
        if report.revocationsFinished > 0 {
            row("resumed", report.revocationsFinished, "revocations an interrupted run had left, finished now")
        }
        if report.retryOnly {
            row("retry only", report.notInLedger, "not in the ledger, left alone; nobody departed, no baseline")
        }
        row("rejected rows", report.rejectedRows)
        if let line = Self.columnNote(report.emailColumn, others: report.otherAddressColumns) { lines.append("  " + line) }
        if report.duplicates > 0 { row("duplicates", report.duplicates, "folded into one user each") }
        if report.outsideDomains > 0 { row("other domains", report.outsideDomains, "outside --domain, skipped") }
        if !report.filteredReasons.isEmpty {
            let reasons = report.filteredReasons.map { "\($0.reason): \($0.count)" }.joined(separator: ", ")
            let blank =
                report.filteredWithoutAddress > 0
                ? "; \(report.filteredWithoutAddress) of them had no valid address, counted here, not as rejected" : ""
            row("filtered out", report.filtered, reasons + blank + (report.filtered > 0 ? " (a granted one counts as departed)" : ""))
        }
        if report.departed > 0 {
            let sample = report.departedSample.prefix(3).joined(separator: ", ")
            switch report.departedAction {
            case "revoked":
                row("departed", report.departed, "absent from this export: \(sample)")
                row("revoked", report.revoked, report.revokedAlreadyGone > 0 ? "(\(report.revokedAlreadyGone) already gone)" : "grants deleted")
                if report.revocationsUnfinished > 0 {
                    row("not revoked", report.revocationsUnfinished, "left revoking; the next run retries them")
                }
            case "refused":
                row("departed", report.departed, "NOT revoked: the safeguard refused (see below)")
            case "skipped":
                row("departed", report.departed, "not revoked: the run stopped first")
            default:
                row("departed", report.departed, "granted earlier, absent from this export: \(sample) (--revoke-departed deletes their grants)")
            }
        }
        lines.append(
            "  " + "api calls".padding(toLength: 14, withPad: " ", startingAt: 0) + String(report.apiCalls).leftPad(8)
                + String(format: "   in %.1f s", report.durationSeconds) + Self.rate(report)
                + (report.rateLimited > 0 ? ", \(report.rateLimited) rate-limited (429)" : ""))
        // The cause that stopped the run is told once, under "Stopped".
        let causes = report.failureReasons.filter { $0.cause != report.stopCause?.cause }
        if !causes.isEmpty {
            lines.append("Failure causes:")
            lines += Self.causeLines(causes.prefix(10))
        }
        if let stop = report.stopReason { lines.append("Stopped: \(stop)") }
        guard closing else {
            Console.out(lines.joined(separator: "\n") + "\n")
            return
        }
        switch report.exitCode {
        case 0: lines.append("Done: every user is granted.")
        case 1:
            lines.append(
                "Exit 1: some users failed or were deferred: fix the causes above; the next run retries deferred users at once and failed ones less often.")
        case 2: lines.append("Exit 2: nothing valid to provision; fix the input and rerun.")
        default: lines.append("Exit \(report.exitCode): the run stopped; fix the cause above and rerun to resume.")
        }
        Console.out(lines.joined(separator: "\n") + "\n")
    }

    /// Names the address column when others look like one too, so a wrong pick shows at once.
    static func columnNote(_ column: String?, others: [String]) -> String? {
        guard let column, !others.isEmpty else { return nil }
        return "addresses read from column \"\(column)\"; also address-like: "
            + others.map { "\"\($0)\"" }.joined(separator: ", ") + " (choose another with --email-column)"
    }

    /// One line per cause with its count and an example, then its fix: never a line per user.
    static func causeLines(_ reasons: some Sequence<RunReport.FailureReason>) -> [String] {
        var lines: [String] = []
        for reason in reasons {
            let known = reason.fix != nil
            lines.append("  \(reason.count) × " + (known ? "\(reason.cause): " : "") + "\(reason.reason) (e.g. \(reason.example))")
            if let fix = reason.fix, !fix.isEmpty { lines.append("      fix: \(fix)") }
        }
        return lines
    }

    /// The calls per second of the provisioning phase, or of the whole run when it made its
    /// calls outside that phase (listings only); nothing when it made none.
    static func rate(_ report: RunReport) -> String {
        guard report.apiCalls > 0 else { return "" }
        let rate =
            report.achievedRate > 0 ? report.achievedRate : Double(report.apiCalls) / max(report.durationSeconds, 0.001)
        return String(format: " (%.1f calls/s)", rate)
    }

    private func diagnostic(_ text: String, level: Logger.Level = .warning) {
        Self.diagnostic(diagnosticPrefix + text, logs: logs, level: level)
    }

    /// A line for the person reading cron's mail: a warning log line under JSON logs, else
    /// standard error.
    /// - Parameter level: the JSON log line's level: `error` for why a run stopped.
    static func diagnostic(_ text: String, logs: LogOutput?, level: Logger.Level = .warning) {
        if let logs, logs.isJSON {
            logs.logger.log(level: level, "\(text)")
        } else {
            Console.stderr("bulkgrant: " + text + "\n")
        }
    }
}

extension String {
    func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
