import Foundation
import GrantLedger
import Provisioning

/// The morning report (HTML) of a ledger, written like the other reports: a file created with
/// mode 0600, since it holds addresses.
enum HTMLReportFile {
    /// Reads the ledger and writes the page to `sink`.
    static func write(from ledger: Ledger, to sink: ReportSink, configuration: MorningReport.Configuration = .init())
        async throws
    {
        let report = try await MorningReport.read(ledger, configuration: configuration)
        sink.write(MorningReportRenderer(report: report).render())
        try sink.close()
    }

    /// After a run (`--html-report`, a job's `report_html`): the whole ledger's report, from the
    /// ledger the run still holds. A failure is a warning: the run's outcome stands.
    static func writeAfterRun(from ledger: Ledger, to path: String, logs: LogOutput) async {
        do {
            try await write(from: ledger, to: try ReportSink(privateFile: path))
            logs.logger.info("html report written", metadata: ["report.path": "\(path)"])
        } catch {
            logs.warning("the html report was not written to \(path): \(error)")
        }
    }
}
