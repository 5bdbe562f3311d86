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
    public init() {}
}

/// What one row of the input gave.
public enum InputEvent: Sendable, Equatable {
    /// A valid address; `line` is the 1-based physical line where the record starts.
    case email(EmailAddress, line: Int)
    /// A row that gave no valid address.
    case rejected(line: Int, reason: String)
}

public struct InputSummary: Sendable, Equatable {
    /// Data rows or lines seen, not counting the header, blank lines and comments.
    public var rows: Int
    /// Rows that gave a valid address (before folding duplicates).
    public var valid: Int
    public var rejected: Int
    /// `.csv` or `.lines`, as detected.
    public var format: InputFormat
    /// The header name of the column used, for CSV input.
    public var emailColumn: String?

    public init(rows: Int = 0, valid: Int = 0, rejected: Int = 0, format: InputFormat, emailColumn: String? = nil) {
        self.rows = rows
        self.valid = valid
        self.rejected = rejected
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

/// The whole input read into memory with duplicates folded: the unique addresses in
/// first-seen order plus the rejected rows.
///
/// Counts add up as `summary.valid == emails.count + duplicates + outsideDomains`
/// and `summary.rows == summary.valid + summary.rejected`.
public struct InputSet: Sendable {
    /// Unique addresses, in first-seen order.
    public var emails: [EmailAddress]
    public var rejections: [RowRejection]
    /// Valid rows folded into an earlier row with the same normalised address.
    public var duplicates: Int
    /// Distinct addresses dropped because their domain is not in the `domains` filter.
    public var outsideDomains: Int
    public var summary: InputSummary
    /// Each kept address's index in ``emails`` (and -1 for one outside the domains), so that the
    /// planner can match a million ledger rows without building a second set.
    public private(set) var positions: [String: Int] = [:]

    public init(emails: [EmailAddress] = [], rejections: [RowRejection] = [], duplicates: Int = 0,
                outsideDomains: Int = 0, summary: InputSummary) {
        self.emails = emails
        self.rejections = rejections
        self.duplicates = duplicates
        self.outsideDomains = outsideDomains
        self.summary = summary
    }

    /// Reads `path` (or `-` for standard input) with ``InputReader`` and folds duplicates.
    ///
    /// - Parameter domains: when non-empty, only addresses whose domain equals one of these
    ///   (case-insensitive, exact match: subdomains are not included; a leading `@` or
    ///   trailing `.` is ignored) are kept; the others are counted in ``outsideDomains``.
    /// - Throws: ``InputError`` for problems with the file as a whole.
    public static func load(path: String, configuration: InputReaderConfiguration = .init(),
                            domains: Set<String> = []) throws -> InputSet {
        let allowed = Set(domains.map(normaliseDomain).filter { !$0.isEmpty })
        var positions: [String: Int] = [:]
        // Growing a million-entry table step by step rehashes it some twenty times.
        positions.reserveCapacity(estimatedRows(path))
        var result = InputSet(summary: InputSummary(format: configuration.format))
        result.summary = try InputReader(path: path, configuration: configuration).read { event in
            switch event {
            case .email(let address, _):
                guard positions[address.value] == nil else {
                    result.duplicates += 1
                    return
                }
                let outside = !allowed.isEmpty && !allowed.contains(String(address.domain))
                positions[address.value] = outside ? -1 : result.emails.count
                if outside {
                    result.outsideDomains += 1
                    return
                }
                result.emails.append(address)
            case .rejected(let line, let reason):
                result.rejections.append(RowRejection(line: line, reason: reason))
            }
        }
        result.positions = positions
        return result
    }

    /// Rows a file of this size probably holds (about 48 bytes a row), capped so that a huge
    /// file of long rows does not reserve memory it never uses.
    static func estimatedRows(_ path: String) -> Int {
        guard path != "-", let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int else {
            return 0
        }
        return min(size / 48, 4_000_000)
    }

    static func normaliseDomain(_ domain: String) -> String {
        var text = Substring(domain.lowercased())
        while let first = text.first, first.isWhitespace || first == "@" { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace || last == "." { text = text.dropLast() }
        return String(text)
    }
}
