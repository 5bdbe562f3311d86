import Foundation
/// How the input file is laid out.
public enum InputFormat: String, Sendable, CaseIterable {
    /// Decide from the first non-blank, non-`#` line.
    case auto
    /// RFC 4180 CSV with a header line.
    case csv
    /// One address per line.
    case lines
}

public struct InputReaderConfiguration: Sendable {
    public var format: InputFormat = .auto
    /// The header name of the email column (`--email-column`), matched case-insensitively after trimming.
    public var emailColumn: String? = nil
    /// The CSV delimiter; `nil` detects `,`, `;` or tab from the header line.
    public var delimiter: UInt8? = nil
    /// A longer physical line or CSV record is a row error; memory stays bounded by it.
    public var maxLineBytes: Int = 64 * 1024
    /// Row filters (`--where`, `--exclude`): a row is kept when it passes every one. They need
    /// a CSV with a header naming their columns; a column the header lacks is an ``InputError``.
    public var filters: [RowFilter] = []
    public init() {}
}

/// What one row of the input gave.
public enum InputEvent: Sendable, Equatable {
    /// A valid address; `line` is the 1-based physical line where the record starts.
    case email(EmailAddress, line: Int)
    /// A row that gave no valid address.
    case rejected(line: Int, reason: String)
    /// A row a ``RowFilter`` dropped: `by` is the first filter it fails (`exclude` filters are
    /// checked before `where` ones); `address` is nil when the row holds no valid address.
    case filtered(EmailAddress?, line: Int, by: RowFilter)
}

public struct InputSummary: Sendable, Equatable {
    /// Data rows or lines seen, not counting the header, blank lines and comments:
    /// `rows == valid + rejected + filtered`.
    public var rows: Int
    /// Rows that passed the filters and gave a valid address (before folding duplicates).
    public var valid: Int
    /// Rows that passed the filters and gave no valid address.
    public var rejected: Int
    /// Rows a filter dropped, whatever their address.
    public var filtered: Int
    /// `.csv` or `.lines`, as detected.
    public var format: InputFormat
    /// The header name of the column used, for CSV input.
    public var emailColumn: String?
    /// Other columns whose name looks like an address column (`Manager Email`, `Personal
    /// Email`): named in the summary, so that a wrong pick is seen the first night.
    public var otherAddressColumns: [String] = []
    /// The file is a `bulkgrant report` (its header starts `email,provider,state,grant_id`):
    /// a list of users to retry, not an export; the report's `'` before a formula-looking
    /// address is taken off again.
    public var isBulkgrantReport = false
    /// Rows read although a column bulkgrant does not use (a name, say) is not UTF-8: a file
    /// saved as Windows-1252 must not lose everyone with an accented name.
    public var undecodableRows = 0
    /// The first of those rows' line.
    public var firstUndecodableLine: Int?

    public init(rows: Int = 0, valid: Int = 0, rejected: Int = 0, format: InputFormat, emailColumn: String? = nil,
                filtered: Int = 0) {
        self.rows = rows
        self.valid = valid
        self.rejected = rejected
        self.filtered = filtered
        self.format = format
        self.emailColumn = emailColumn
    }
}

/// A problem with the input file as a whole (as opposed to a single rejected row).
/// `message` is a full sentence saying what is wrong and what to do about it.
public struct InputError: Error, Sendable, CustomStringConvertible {
    /// The kind of problem. A struct over a private enum so that new codes can be added
    /// without breaking exhaustive `switch`es in client code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case notFound, unreadable, isDirectory, noEmailColumn, ambiguousEmailColumn, unknownEmailColumn
            case unsupportedEncoding, empty, malformed
            case unknownFilterColumn, filterNeedsHeader
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The path does not exist.
        public static let notFound = Code(.notFound)
        /// The file cannot be opened or read, or does not look like text.
        public static let unreadable = Code(.unreadable)
        /// The path is a directory.
        public static let isDirectory = Code(.isDirectory)
        /// No header column looks like an email column.
        public static let noEmailColumn = Code(.noEmailColumn)
        /// Several header columns look like email columns.
        public static let ambiguousEmailColumn = Code(.ambiguousEmailColumn)
        /// The column named with `--email-column` is not in the header.
        public static let unknownEmailColumn = Code(.unknownEmailColumn)
        /// The file is UTF-16 or UTF-32 rather than UTF-8.
        public static let unsupportedEncoding = Code(.unsupportedEncoding)
        /// The file holds nothing but blank lines, comments or a byte-order mark.
        public static let empty = Code(.empty)
        /// The header line itself cannot be parsed.
        public static let malformed = Code(.malformed)
        /// A `--where`/`--exclude` filter names a column the header does not have (or has twice).
        public static let unknownFilterColumn = Code(.unknownFilterColumn)
        /// Filters were given for a plain list of addresses, which has no columns.
        public static let filterNeedsHeader = Code(.filterNeedsHeader)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The path as given (`-` for standard input).
    public var path: String
    /// The 1-based physical line the problem is on, when it is about one line.
    public var line: Int?
    public var message: String
    public var description: String { message }

    public init(code: Code, path: String, line: Int? = nil, message: String) {
        self.code = code
        self.path = path
        self.line = line
        self.message = message
    }
}

extension InputError {
    /// How a path is named at the start of messages.
    static func displayName(_ path: String) -> String { path == "-" ? "standard input" : path }

    /// `path[, line N]: text`; `showLine: false` keeps the line out of the message (header problems).
    static func make(_ code: Code, _ path: String, line: Int? = nil, showLine: Bool = true, _ text: String) -> InputError {
        let location = line.flatMap { showLine ? "\(displayName(path)), line \($0)" : nil } ?? displayName(path)
        return InputError(code: code, path: path, line: line, message: "\(location): \(text)")
    }

    static func notFound(_ path: String) -> InputError {
        make(.notFound, path, "no such file; check the path (use - to read standard input)")
    }

    static func isDirectory(_ path: String) -> InputError {
        make(.isDirectory, path, "this is a directory; pass the path of the CSV or list file instead")
    }

    static func unreadable(_ path: String, _ reason: String) -> InputError {
        make(.unreadable, path, "cannot be read (\(reason)); check the file's permissions and that it is a local file")
    }

    static func notText(_ path: String, hint: String?) -> InputError {
        let what = "the file does not look like text (\(hint ?? "binary file?"))"
        return make(.unreadable, path, "\(what); export the HR list as CSV UTF-8 (in Excel: File > Save As > CSV UTF-8) or as a plain list with one address per line")
    }

    static func unsupportedEncoding(_ path: String, _ encoding: String, iconvName: String) -> InputError {
        let output = path == "-" ? "out.csv" : "\(path.hasSuffix(".csv") ? String(path.dropLast(4)) : path)-utf8.csv"
        let input = path == "-" ? "in.csv" : shellQuoted(path)
        return make(.unsupportedEncoding, path,
                    "the file is encoded as \(encoding), but only UTF-8 is supported; convert it first, e.g. "
                        + "iconv -f \(iconvName) -t UTF-8 \(input) > \(shellQuoted(output))")
    }

    static func empty(_ path: String) -> InputError {
        make(.empty, path, "the file is empty (no header and no addresses, at most blank lines or comments); check that the export finished and that this is the right file")
    }

    static func filterNeedsHeader(_ path: String, _ filter: RowFilter) -> InputError {
        make(.filterNeedsHeader, path,
             "\(filter.argument) needs a CSV with a header row naming the columns, but this is a list of addresses "
                + "(one per line, no columns to filter on); export a CSV with a \(filter.column.debugDescription) column, or drop the filter")
    }

    static func columnList(_ columns: [String]) -> String {
        columns.isEmpty ? "none" : columns.map { $0.isEmpty ? "(blank)" : $0 }.joined(separator: ", ")
    }

    private static func shellQuoted(_ s: String) -> String {
        let plain = s.utf8.allSatisfy { b in
            UTF8Scan.isDomainASCII(b) || b == UInt8(ascii: "/") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_")
        }
        return plain && !s.isEmpty ? s : "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}

/// A row of the input that gave no valid address.
public struct RowRejection: Sendable, Hashable, CustomStringConvertible {
    /// The 1-based physical line where the row starts.
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}
