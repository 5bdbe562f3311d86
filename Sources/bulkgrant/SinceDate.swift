import Foundation

/// The `--since` value: a UTC day `YYYY-MM-DD` (from its midnight) or unix seconds.
enum SinceDate {
    static let expected = "a UTC date YYYY-MM-DD (e.g. 2025-01-31) or unix seconds (e.g. 1738281600)"

    /// Unix seconds, or nil when `text` is neither form.
    static func parse(_ text: String) -> Int? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) { return Int(text) }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
            calendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: year, month: month, day: day)
        else { return nil }  // 2025-02-30 and the like
        return Int(date.timeIntervalSince1970)
    }
}
