import Foundation
import GrantLedger

/// `bulkgrant report`: one row per user, as CSV or JSON.
///
/// The CSV has an `email` column that `bulkgrant run` finds by name, so a `--state failed`
/// report can be fed straight back to a run. Cells that a spreadsheet would run as a formula
/// (leading `=`, `+`, `-`, `@`, tab or carriage return) are neutralised with a leading `'`.
public enum UserReport {
    public enum Format: String, Sendable, CaseIterable {
        case csv, json
        /// Not one row per user: the morning report (``MorningReport``), one HTML page.
        case html
    }

    public static let columns = [
        "email", "provider", "state", "grant_id", "attempts", "last_status", "last_error_type", "last_error_message",
        "last_request_id", "updated_at", "organisation", "cause",
    ]

    /// The first columns, by which a report fed back to `run` is recognised.
    static let identifyingColumns = Array(columns.prefix(4))

    /// First bytes that make a spreadsheet evaluate a cell, which `neutralise` puts a `'` before.
    static let formulaStarts: Set<UInt8> = [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 9, 13]

    public static var csvHeader: String { columns.joined(separator: ",") + "\r\n" }

    /// One CSV line (CRLF-terminated), and whether the address itself had to be neutralised
    /// (such a row no longer reads back as the same address).
    public static func csvLine(_ record: UserRecord) -> (line: String, emailNeutralised: Bool) {
        let email = neutralise(record.email)
        let cells = [
            email, record.provider, record.state.rawValue, record.grantID ?? "", String(record.attempts),
            record.lastStatus.map(String.init) ?? "", record.lastErrorType ?? "", record.lastErrorMessage ?? "",
            record.lastRequestID ?? "", timestamp(record.updatedAt), record.organisation, record.cause ?? "",
        ]
        let line = cells.map { quote(neutralise($0)) }.joined(separator: ",") + "\r\n"
        return (line, email != record.email)
    }

    /// A cell a spreadsheet would evaluate, made inert with a leading apostrophe.
    public static func neutralise(_ cell: String) -> String {
        guard let first = cell.utf8.first, formulaStarts.contains(first) else { return cell }
        return "'" + cell
    }

    /// RFC 4180 quoting when the cell needs it.
    static func quote(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One JSON object (no neutralising: JSON is not run by a spreadsheet).
    public static func jsonObject(_ record: UserRecord) -> String {
        func value(_ text: String?) -> String { text.map(JSONText.string) ?? "null" }
        let fields: [(String, String)] = [
            ("email", value(record.email)), ("provider", value(record.provider)), ("state", value(record.state.rawValue)),
            ("grant_id", value(record.grantID)), ("attempts", String(record.attempts)),
            ("last_status", record.lastStatus.map(String.init) ?? "null"), ("last_error_type", value(record.lastErrorType)),
            ("last_error_message", value(record.lastErrorMessage)), ("last_request_id", value(record.lastRequestID)),
            ("updated_at", value(timestamp(record.updatedAt))), ("organisation", value(record.organisation)),
            ("cause", value(record.cause)),
        ]
        return "{" + fields.map { JSONText.string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    static func timestamp(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }
}
