import Foundation
import NylasAPI

/// Prints grants as they arrive, as a table, one JSON document, or CSV.
final class GrantListWriter {
    let format: GrantListFormat
    /// Whether a JSON item was written yet, so the next needs a comma.
    private var wroteAny = false

    init(format: GrantListFormat) { self.format = format }

    func begin() {
        switch format {
        case .table: Stdout.write(Self.tableRow(["ID", "PROVIDER", "STATUS", "CREATED (UTC)", "EMAIL"]))
        case .json: Stdout.write("{\"data\":[")
        case .csv: Stdout.write(CSVText.row(["id", "provider", "email", "grant_status", "created_at", "updated_at", "credential_id", "scope"]))
        }
    }

    /// One page, in one write.
    func write(_ grants: [Grant]) {
        guard !grants.isEmpty else { return }
        var text = ""
        for grant in grants {
            switch format {
            case .table:
                text += Self.tableRow([
                    grant.id, grant.provider, grant.grantStatus ?? "-", GrantText.time(grant.createdAt), grant.email ?? "-",
                ])
            case .json:
                text += (wroteAny ? ",\n" : "\n") + JSONLine.encode(grant)
                wroteAny = true
            case .csv:
                text += CSVText.row([
                    grant.id, grant.provider, grant.email ?? "", grant.grantStatus ?? "",
                    GrantText.isoTime(grant.createdAt), GrantText.isoTime(grant.updatedAt), GrantText.credentialID(grant) ?? "",
                    (grant.scope ?? []).joined(separator: " "),
                ])
            }
        }
        Stdout.write(text)
    }

    func end(count: Int) {
        let line = "\(count) grant\(count == 1 ? "" : "s")"
        switch format {
        case .table: Stdout.write(line + "\n")
        case .json: Stdout.write("\n],\"count\":\(count)}\n")
        case .csv: Console.stderr(line + "\n")
        }
    }

    private static func tableRow(_ cells: [String]) -> String {
        let widths = [36, 9, 8, 17]
        var line = ""
        for (index, cell) in cells.enumerated() {
            if index < widths.count {
                line += cell.padding(toLength: max(widths[index], cell.count), withPad: " ", startingAt: 0) + "  "
            } else {
                line += cell
            }
        }
        return line + "\n"
    }
}
