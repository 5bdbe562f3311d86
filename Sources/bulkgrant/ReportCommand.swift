#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Foundation
import GrantLedger
import NylasAPI
import Provisioning

/// `bulkgrant report`: one row per user, or the morning report as one HTML page, from the
/// ledger, read-only.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one row per user (email, state, grant id, attempts, last error, …), or the morning report as HTML.",
        discussion: """
            The CSV's `email` column is what `bulkgrant run` looks for, so a report of the failed \
            users can be fed straight back to a run. Cells a spreadsheet would run as a formula \
            (starting with =, +, - or @) are prefixed with '. A file named with --output is \
            created with mode 0600: it holds addresses and grant ids.

            --format html writes one self-contained page (inline CSS and SVG, no script, no \
            external request) for a person to open in the morning, on a phone or from a mail: \
            the last run's outcome, users per organisation, users by state over the last 30 \
            runs, failure causes with an example and the fix, users failing in 3 or more runs, \
            departed users, throughput and 429s. It holds counts and short lists, not every user.

            Examples:
              bulkgrant report --state failed --output failed.csv
              bulkgrant run failed.csv --provider google --credential-id CRED --scope SCOPE
              bulkgrant report --format json | jq '.[] | select(.attempts > 3)'
              bulkgrant report --org acme --state failed    # one organisation of a job
              bulkgrant report --format html --output /var/www/private/bulkgrant.html
            """)

    @Option(help: "The SQLite ledger.")
    var ledger: String = "bulkgrant.sqlite"

    @Option(help: "Only users in this state.")
    var state: UserState?

    @Option(help: "Only this provider's users.")
    var provider: Provider?

    @Option(name: .customLong("org"), help: "Only this organisation of a multi-organisation job (its name in the job file).")
    var organisation: String?

    @Option(help: "csv or json (one row per user), or html (the morning report).")
    var format: UserReport.Format = .csv

    @Option(help: "Write to this file (mode 0600) instead of standard output.")
    var output: String?

    func validate() throws {
        if format == .html && state != nil {
            throw ValidationError(
                "--state selects rows of csv and json; the html report shows every state (drop --state, or use --format csv)")
        }
        if output?.isEmpty == true { throw ValidationError("--output needs a path") }
    }

    func run() async throws {
        let logger = Console.bootstrapLogging(level: .error)
        let opened = try Console.openLedgerForReading(ledger, logger: logger)
        defer { try? opened.close() }
        try await Console.checkOrganisation(organisation, in: opened)
        let sink: ReportSink
        do {
            sink = try output.map { try ReportSink(privateFile: $0) } ?? ReportSink.standardOutput
        } catch {
            Console.error("\(error)")
            throw Exit.input
        }
        if format == .html {
            do {
                try await HTMLReportFile.write(
                    from: opened, to: sink,
                    configuration: MorningReport.Configuration(provider: provider?.rawValue, organisation: organisation))
            } catch {
                Console.error("ledger \(ledger): \(error)")
                throw Exit.input
            }
            if let output { Console.stderr("bulkgrant: the morning report is in \(output)\n") }
            return
        }
        var rows = 0
        var neutralisedAddresses = 0
        do {
            switch format {
            case .csv: sink.write(UserReport.csvHeader)
            case .json: sink.write("[")
            case .html: break
            }
            var after: (email: String, provider: String)?
            while true {
                let page = try await opened.userPage(
                    provider: provider?.rawValue, state: state, organisation: organisation, after: after)
                guard let last = page.last else { break }
                var chunk = ""
                for record in page {
                    switch format {
                    case .csv:
                        let (line, neutralised) = UserReport.csvLine(record)
                        chunk += line
                        if neutralised { neutralisedAddresses += 1 }
                    case .json:
                        chunk += (rows == 0 ? "\n" : ",\n") + UserReport.jsonObject(record)
                    case .html: break
                    }
                    rows += 1
                }
                sink.write(chunk)
                after = (last.email, last.provider)
            }
            if format == .json { sink.write(rows == 0 ? "]\n" : "\n]\n") }
            try sink.close()
        } catch {
            Console.error("\(error)")
            throw Exit.input
        }
        if let output {
            Console.stderr("bulkgrant: \(rows) users written to \(output)\n")
        }
        if neutralisedAddresses > 0 {
            Console.stderr(
                "bulkgrant: \(neutralisedAddresses) addresses start with =, +, - or @ and are written with a leading ' so that a spreadsheet does not run them; remove it before feeding those rows to `bulkgrant run`\n")
        }
    }
}

/// Standard output, or a file created with mode 0600.
final class ReportSink {
    private let handle: FileHandle
    private let ownsHandle: Bool

    private init(handle: FileHandle, ownsHandle: Bool) {
        self.handle = handle
        self.ownsHandle = ownsHandle
    }

    static var standardOutput: ReportSink { ReportSink(handle: .standardOutput, ownsHandle: false) }

    convenience init(privateFile path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ValidationError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        // An existing file keeps its mode on open: make it private too.
        fchmod(fd, 0o600)
        self.init(handle: FileHandle(fileDescriptor: fd, closeOnDealloc: true), ownsHandle: true)
    }

    func write(_ text: String) {
        handle.write(Data(text.utf8))
    }

    func close() throws {
        if ownsHandle { try handle.synchronize() }
    }
}

extension UserState: ExpressibleByArgument {}
extension UserReport.Format: ExpressibleByArgument {}
