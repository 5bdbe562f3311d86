import Foundation
import NylasAPI

/// How a grant's fields read on a terminal, in CSV and in JSON.
enum GrantText {
    /// `2025-01-31 09:30` (UTC), or `-`.
    static func time(_ seconds: Int?) -> String {
        guard let seconds else { return "-" }
        return format(seconds, iso: false)
    }

    /// `2025-01-31T09:30:00Z`, or empty.
    static func isoTime(_ seconds: Int?) -> String {
        guard let seconds else { return "" }
        return format(seconds, iso: true)
    }

    /// The credential behind the grant: `settings.credential_id`, else the top-level field.
    static func credentialID(_ grant: Grant) -> String? {
        grant.settings?["credential_id"]?.stringValue ?? grant.credentialId
    }

    private static func format(_ seconds: Int, iso: Bool) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let date = String(format: "%04d-%02d-%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
        return iso
            ? date + String(format: "T%02d:%02d:%02dZ", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
            : date + String(format: " %02d:%02d", Int(parts.tm_hour), Int(parts.tm_min))
    }
}

/// CSV cells (RFC 4180), with cells a spreadsheet would run as a formula neutralised.
enum CSVText {
    static func row(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",") + "\n"
    }

    static func cell(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@\t\r".contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
