import ArgumentParser
import Foundation
import NylasAPI

/// `bulkgrant grants list`: every matching grant, 200 per call, printed as each page arrives.
struct GrantsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the grants matching the filters, page by page, with a count at the end.",
        discussion: """
            Pages through GET /v3/grants 200 at a time and prints each page as it arrives. The \
            count ends the table (a line "N grants"), is a "count" field after "data" in JSON, \
            and goes to standard error with CSV so the file stays clean. A listing cut short \
            leaves the JSON unterminated, so a script cannot mistake it for a complete one.

            Examples:
              bulkgrant grants list
              bulkgrant grants list --provider microsoft --status invalid
              bulkgrant grants list --email alice@acme.com --json
              bulkgrant grants list --since 2025-01-31 --format csv > grants.csv
            """)

    @Option(help: "Only grants of this provider: google or microsoft.")
    var provider: Provider?

    @Option(help: "Only the grant of this email address.")
    var email: String?

    @Option(help: "Only grants in this state: valid or invalid.")
    var status: GrantStatusFilter?

    @Option(help: "Only grants created at or after this time: YYYY-MM-DD (UTC) or unix seconds.")
    var since: String?

    @Option(help: "Output: table, json or csv.")
    var format: GrantListFormat = .table

    @Flag(help: "Same as --format json.")
    var json = false

    @OptionGroup(title: "API")
    var api: APIOptions

    func validate() throws {
        if let since, SinceDate.parse(since) == nil {
            throw ValidationError("--since '\(since)' is not \(SinceDate.expected)")
        }
        if json && format == .csv {
            throw ValidationError("--json means --format json: give one of them, not --format csv as well")
        }
        if let email, email.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--email must not be empty")
        }
    }

    func run() async throws {
        let query = GrantQuery(
            email: email?.trimmingCharacters(in: .whitespaces), provider: provider, grantStatus: status?.rawValue,
            since: since.flatMap(SinceDate.parse))
        let writer = GrantListWriter(format: json ? .json : format)
        let configuration = try AdminCall.configuration(api)
        try await AdminCall.run(configuration) { client in
            var seen = Set<String>()
            var offset = 0
            writer.begin()
            while true {
                let page = try await Retrying.idempotent {
                    try await client.listGrants(query, limit: 200, offset: offset)
                }
                // Offset paging shifts when a grant is created mid-listing: print each id once.
                writer.write(page.data.filter { seen.insert($0.id).inserted })
                offset += page.data.count
                if page.data.count < 200 { break }
            }
            writer.end(count: seen.count)
        }
    }
}

/// `--status`.
enum GrantStatusFilter: String, ExpressibleByArgument, CaseIterable {
    case valid, invalid
}

/// `--format` of `grants list`.
enum GrantListFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}
