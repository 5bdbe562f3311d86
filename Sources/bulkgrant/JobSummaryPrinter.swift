import Foundation
import Provisioning

/// The end of a job: each organisation's summary, then one line per organisation and the
/// job's exit, or one JSON object for scripts.
struct JobSummaryPrinter {
    let report: JobReport
    let sandbox: Bool
    var logs: LogOutput? = nil

    func print(json: Bool) {
        for error in report.errors { diagnostic(error) }
        if json {
            for organisation in report.organisations where organisation.report.exitCode >= 2 {
                if let stop = organisation.report.stopReason {
                    SummaryPrinter.diagnostic("organisation '\(organisation.name)': \(stop)", logs: logs, level: .error)
                }
            }
            Console.json(report)
            return
        }
        for organisation in report.organisations {
            let run = organisation.report.runID.map { "run \($0)" } ?? "no run"
            SummaryPrinter(
                report: organisation.report, sandbox: sandbox, logs: logs,
                heading: "organisation '\(organisation.name)': \(organisation.provider), credential \(organisation.credentialID), \(run)",
                closing: false, diagnosticPrefix: "organisation '\(organisation.name)': "
            ).print(json: false)
        }
        var lines: [String] = []
        lines.append(
            "bulkgrant job \(report.job)\(sandbox ? " (sandbox)" : ""): \(report.organisations.count) organisations, ledger \(report.ledger), \(String(format: "%.1f", report.durationSeconds)) s")
        for organisation in report.organisations {
            let run = organisation.report
            let state: String
            switch run.exitCode {
            case 0: state = "done"
            case 1: state = "incomplete (rerun to retry)"
            case 2: state = "input error"
            default: state = "stopped"
            }
            lines.append(
                "  \(organisation.name.padding(toLength: max(14, organisation.name.count), withPad: " ", startingAt: 0)) \(state): \(run.granted) granted, \(run.skipped) skipped, \(run.failed) failed, \(run.deferred + run.unfinished) left"
                    + (run.exitCode >= 2 ? " — \(run.stopReason ?? "see above")" : ""))
        }
        if !report.errors.isEmpty {
            lines.append("Exit 2: the job did not start; fix the problems above and rerun.")
        } else {
            switch report.exitCode {
            case 0: lines.append("Done: every user of every organisation is granted.")
            case 1: lines.append("Exit 1: some users failed or were deferred; rerun the same command to retry them.")
            case 2: lines.append("Exit 2: an organisation's input is unusable; fix it and rerun (the others ran).")
            default: lines.append("Exit \(report.exitCode): an organisation stopped; fix the cause above and rerun to resume (the others ran).")
            }
        }
        Console.out(lines.joined(separator: "\n") + "\n")
    }

    private func diagnostic(_ text: String) {
        SummaryPrinter.diagnostic(text, logs: logs)
    }
}
