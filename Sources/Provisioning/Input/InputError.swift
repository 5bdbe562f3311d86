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
        make(.isDirectory, path, "is a directory; pass the CSV or list file inside it instead")
    }

    static func unreadable(_ path: String, _ reason: String) -> InputError {
        make(.unreadable, path, "cannot be read (\(reason)); check the file's permissions and that it is a local file")
    }

    static func notText(_ path: String, hint: String?) -> InputError {
        let what = hint.map { "does not look like text (\($0))" } ?? "does not look like text (binary file?)"
        return make(.unreadable, path, "\(what); export the HR list as CSV (UTF-8) or as a plain list with one address per line")
    }

    static func unsupportedEncoding(_ path: String, _ encoding: String, iconvName: String) -> InputError {
        let output = path == "-" ? "out.csv" : "\(path.hasSuffix(".csv") ? String(path.dropLast(4)) : path)-utf8.csv"
        let input = path == "-" ? "in.csv" : shellQuoted(path)
        return make(.unsupportedEncoding, path,
                    "is encoded as \(encoding), but only UTF-8 is supported; convert it first, e.g. "
                        + "iconv -f \(iconvName) -t UTF-8 \(input) > \(shellQuoted(output))")
    }

    static func empty(_ path: String) -> InputError {
        make(.empty, path, "is empty (no header and no addresses, only blank lines or comments); check that the export finished and that you passed the right file")
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
