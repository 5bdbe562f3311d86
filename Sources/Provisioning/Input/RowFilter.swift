import Foundation

/// A condition on one column of a CSV export that decides whether a row reaches the run:
/// `--where Status=Active` keeps only rows whose Status is Active, `--exclude
/// Department=Contractors` drops the rows of that department.
///
/// Column names and values are trimmed and compared without regard to case (full Unicode case
/// folding, so `STRASSE` matches `Straße`; accents still count). A value may be a
/// comma-separated list meaning any of them (`Status=Active,On leave`); a value that holds a
/// comma goes in double quotes, as in CSV (`Department="People, Culture & Talent",Sales`).
///
/// Carry filters in ``InputReaderConfiguration/filters``; ``InputSet/load(path:configuration:domains:)``
/// applies them and counts what they drop by ``reason``. Two filters are equal when they select
/// the same rows: same kind, same column and values ignoring case, values in any order.
public struct RowFilter: Sendable, Hashable, CustomStringConvertible {
    /// Whether matching rows are kept or dropped.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Keep only rows whose cell is one of the values (`--where`). Several must all hold.
        case `where`
        /// Drop rows whose cell is one of the values (`--exclude`). It wins over `--where`.
        case exclude

        /// The command-line flag: `--where` or `--exclude`.
        public var flag: String { "--" + rawValue }
    }

    /// A filter and how many users it dropped, as the run's summary shows it.
    public struct Count: Sendable, Hashable, Codable {
        /// ``RowFilter/reason`` of the filter.
        public var reason: String
        /// Users (distinct addresses, plus rows without a usable address) the filter dropped.
        public var count: Int

        public init(reason: String, count: Int) {
            self.reason = reason
            self.count = count
        }
    }

    public let kind: Kind
    /// The column name as given, trimmed.
    public let column: String
    /// The values as given, trimmed, without repeats (compared case-insensitively).
    public let values: [String]
    /// The values case-folded, as cells are compared with them.
    private let keys: Set<String>
    /// The column name case-folded, for equality.
    private let columnKey: String

    public static func == (lhs: RowFilter, rhs: RowFilter) -> Bool {
        lhs.kind == rhs.kind && lhs.columnKey == rhs.columnKey && lhs.keys == rhs.keys
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(columnKey)
        hasher.combine(keys)
    }

    /// Parses `COLUMN=VALUE` or `COLUMN=VALUE,VALUE,…` (the text after `--where`/`--exclude`).
    /// The column is what precedes the first `=`.
    /// - Throws: ``RowFilterError`` naming the problem, with an example of the right form.
    public init(parsing text: String, kind: Kind) throws {
        guard let equals = text.firstIndex(of: "=") else {
            throw RowFilterError(.missingEquals, kind: kind, text: text, "expected COLUMN=VALUE")
        }
        let column = String(text[..<equals])
        let list = String(text[text.index(after: equals)...])
        guard !Self.trimmed(column).isEmpty else {
            throw RowFilterError(.missingColumn, kind: kind, text: text, "the column name before '=' is missing")
        }
        guard !Self.trimmed(list).isEmpty else {
            throw RowFilterError(
                .missingValue, kind: kind, text: text,
                "the value after '=' is missing (a filter cannot select blank cells)")
        }
        let values = try Self.split(list, kind: kind, text: text)
        try self.init(column: column, values: values, kind: kind)
    }

    /// A filter from its parts, for callers that hold them apart (a job file's table, say).
    /// - Throws: ``RowFilterError`` for an empty column name, no value, or an empty value.
    public init(column: String, values: [String], kind: Kind) throws {
        let name = Self.trimmed(column)
        let text = "\(column)=\(values.joined(separator: ","))"
        guard !name.isEmpty else {
            throw RowFilterError(.missingColumn, kind: kind, text: text, "the column name is missing")
        }
        guard !values.isEmpty else {
            throw RowFilterError(.missingValue, kind: kind, text: text, "no value is given")
        }
        var kept: [String] = []
        var keys: Set<String> = []
        for value in values {
            let clean = Self.trimmed(value)
            guard !clean.isEmpty else {
                throw RowFilterError(
                    .emptyValue, kind: kind, text: text, "the list has an empty value; remove the extra comma")
            }
            if keys.insert(Self.key(clean)).inserted { kept.append(clean) }
        }
        self.kind = kind
        self.column = name
        self.columnKey = Self.key(name)
        self.values = kept
        self.keys = keys
    }

    /// Whether a cell holding `value` is one of the filter's values (both trimmed, case folded).
    public func matches(_ value: String) -> Bool { keys.contains(Self.key(Self.trimmed(value))) }

    /// Whether a row whose cell in ``column`` holds `value` stays: for `where`, the value is one
    /// of the values; for `exclude`, it is none of them. A missing cell counts as blank.
    public func keeps(_ value: String) -> Bool { matches(value) != (kind == .exclude) }

    /// Whether a cell already reduced with ``key(utf8:)`` matches.
    func matches(key: String) -> Bool { keys.contains(key) }

    /// Why a row was dropped, for the summary: `not Status=Active` for a `where` filter the row
    /// fails, `Status=Terminated` for an `exclude` filter it matches.
    public var reason: String { (kind == .where ? "not " : "") + condition }

    /// The same as ``reason``.
    public var description: String { reason }

    /// The filter as it would be typed: `--where Status=Active,On leave`.
    public var argument: String { "\(kind.flag) \(condition)" }

    /// `Column=Value,Value`, quoting values that hold a comma or a quote.
    private var condition: String {
        let list = values.map { value in
            value.contains(",") || value.contains("\"")
                ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        }
        return "\(column)=\(list.joined(separator: ","))"
    }

    // MARK: Text

    /// Splits a value list at commas outside double quotes; `""` inside quotes is a quote.
    private static func split(_ list: String, kind: Kind, text: String) throws -> [String] {
        var values: [String] = []
        var current = ""
        var quoted = false      // inside a quoted value
        var wasQuoted = false   // the current value was quoted (text after its closing quote is kept)
        var chars = list.makeIterator()
        var pending: Character? = nil
        while let ch = pending ?? chars.next() {
            pending = nil
            if quoted {
                if ch == "\"" {
                    let next = chars.next()
                    if next == "\"" {
                        current.append("\"")
                    } else {
                        quoted = false
                        pending = next
                    }
                } else {
                    current.append(ch)
                }
            } else if ch == "," {
                values.append(current)
                current = ""
                wasQuoted = false
            } else if ch == "\"" && !wasQuoted && trimmed(current).isEmpty {
                current = ""
                quoted = true
                wasQuoted = true
            } else {
                current.append(ch)
            }
        }
        if quoted {
            throw RowFilterError(
                .unterminatedQuote, kind: kind, text: text,
                "a quote in the value list is never closed; quote a value that holds a comma as a whole")
        }
        values.append(current)
        return values
    }

    /// Trimmed of whitespace (Unicode spaces, BOM and zero-width characters too, as cells are).
    static func trimmed(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { p in
            var lo = 0, hi = p.count
            UTF8Scan.trim(p, &lo, &hi)
            return String(decoding: UnsafeBufferPointer(rebasing: p[lo..<hi]), as: UTF8.self)
        }
    }

    /// The comparison key of a trimmed value: case folded, by bytes when it is ASCII (the common
    /// case, and a million rows are read) and by Foundation's full case folding otherwise.
    static func key(_ trimmedValue: String) -> String {
        var copy = trimmedValue
        return copy.withUTF8 { key(utf8: $0) }
    }

    /// The comparison key of a cell's bytes: trimmed, then case folded.
    static func key(utf8 p: UnsafeBufferPointer<UInt8>) -> String {
        var lo = 0, hi = p.count
        UTF8Scan.trim(p, &lo, &hi)
        let cell = UnsafeBufferPointer(rebasing: p[lo..<hi])
        if cell.allSatisfy({ $0 < 0x80 }) {
            return String(unsafeUninitializedCapacity: cell.count) { out in
                for (k, b) in cell.enumerated() { out[k] = b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
                return cell.count
            }
        }
        return String(decoding: cell, as: UTF8.self).folding(options: .caseInsensitive, locale: nil)
    }
}

/// A `--where`/`--exclude` value that is not `COLUMN=VALUE`: a usage error.
public struct RowFilterError: Error, Sendable, CustomStringConvertible {
    /// The kind of problem. A struct over a private enum, so that new codes can be added without
    /// breaking exhaustive `switch`es in client code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case missingEquals, missingColumn, missingValue, emptyValue, unterminatedQuote
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No `=` (`--where Status`).
        public static let missingEquals = Code(.missingEquals)
        /// Nothing before the `=` (`--where =Active`).
        public static let missingColumn = Code(.missingColumn)
        /// Nothing after the `=` (`--where Status=`).
        public static let missingValue = Code(.missingValue)
        /// An empty item in a list (`--where Status=Active,,On leave`).
        public static let emptyValue = Code(.emptyValue)
        /// A quote opened in the value list and never closed.
        public static let unterminatedQuote = Code(.unterminatedQuote)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var kind: RowFilter.Kind
    /// The filter text as given.
    public var text: String
    /// What is wrong, without the flag and text (`expected COLUMN=VALUE`).
    public var problem: String
    /// A whole sentence: the flag and text, the problem, and an example of the right form.
    public var message: String {
        let flag = kind.flag
        let (one, several) =
            kind == .where ? ("Status=Active", "'Status=Active,On leave'") : ("Status=Terminated", "'Status=Terminated,Suspended'")
        return "\(flag) \(text.debugDescription): \(problem); write COLUMN=VALUE, e.g. \(flag) \(one), "
            + "or \(flag) \(several) for any of several values (the column as the CSV header names it)"
    }
    public var description: String { message }

    init(_ code: Code, kind: RowFilter.Kind, text: String, _ problem: String) {
        self.code = code
        self.kind = kind
        self.text = text
        self.problem = problem
    }
}
