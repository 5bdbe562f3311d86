import ArgumentParser
import Provisioning

/// The flags of `run` for unattended nightly use: the plan, leavers, invalid grants, adoption
/// and observability.
struct NightlyOptions: ParsableArguments {
    @Flag(
        name: .customLong("dry-run"),
        help: "Print the plan (new, granted, retry, unknown, repair, adopted, departed) and exit: no grant is created or deleted and the ledger is not written; only the grant listings adoption and --repair-invalid need are sent (GET).")
    var dryRun = false

    @Flag(
        name: .customLong("revoke-departed"),
        help: "Delete the grants of users granted earlier and absent from this export (under the safeguard).")
    var revokeDeparted = false

    @Option(
        name: .customLong("max-revoke"),
        help: "Refuse to revoke more than this many grants: a count (25) or a share of granted users (5%).")
    var maxRevoke: String = "10%"

    @Flag(help: "Revoke even when the safeguard refuses (more than --max-revoke, or an export under 80% of the last run's).")
    var force = false

    @Flag(
        name: .customLong("repair-invalid"),
        help: "Find this provider's invalid grants (List Grants, 200 per call) and re-authenticate those users.")
    var repairInvalid = false

    @Flag(
        name: .customLong("adopt-existing"),
        help: "Record existing grants of export users as granted instead of authenticating them (automatic while the ledger has no user of this provider).")
    var adoptExisting = false

    @Option(name: .customLong("log-format"), help: "text, or json: one JSON object per line with dotted keys.")
    var logFormat: LogFormat = .text

    @Option(
        name: .customLong("metrics-file"),
        help: "Write the run's metrics to this Prometheus textfile (atomically), for node_exporter's textfile collector.")
    var metricsFile: String?

    @Option(
        name: .customLong("html-report"),
        help: ArgumentHelp(
            "After the run, write the ledger's morning report to this HTML file (mode 0600), as 'bulkgrant report --format html' does.",
            discussion: "With --job it overrides the job file's report_html.", valueName: "path"))
    var htmlReport: String?

    /// `--max-revoke`, parsed (`validate` has checked it).
    var revocationLimit: RevocationLimit { RevocationLimit(maxRevoke) ?? .default }

    func validate() throws {
        guard RevocationLimit(maxRevoke) != nil else {
            throw ValidationError("--max-revoke takes a count (25) or a percentage from 0% to 100% (5%), not '\(maxRevoke)'")
        }
        if force && !revokeDeparted {
            throw ValidationError("--force overrides the safeguard of --revoke-departed; it does nothing without it")
        }
        if let htmlReport, htmlReport.isEmpty {
            throw ValidationError("--html-report needs a path, e.g. /var/lib/bulkgrant/report.html")
        }
        if let metricsFile, metricsFile.isEmpty {
            throw ValidationError("--metrics-file needs a path, e.g. /var/lib/node_exporter/textfile/bulkgrant.prom")
        }
    }
}
