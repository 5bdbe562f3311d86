#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

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

/// Reads a file (or `-` for standard input) as a stream of 64 KiB chunks, never loading
/// the whole file: memory is bounded by `maxLineBytes` plus what `handle` keeps.
public struct InputReader: Sendable {
    public let path: String
    public let configuration: InputReaderConfiguration

    public init(path: String, configuration: InputReaderConfiguration = .init()) {
        self.path = path
        self.configuration = configuration
    }

    /// Calls `handle` for each row event in file order and returns the summary. Throws
    /// ``InputError`` for problems with the whole file, or whatever `handle` throws.
    public func read(_ handle: (InputEvent) throws -> Void) throws -> InputSummary {
        var source = try ByteSource(path: path)
        defer { source.close() }
        let maxLine = max(1, configuration.maxLineBytes)

        // 1. Sniff the first 8 KiB: encoding, byte-order mark, binary content.
        var head: [UInt8] = []
        while head.count < 8192, try source.read(appendingTo: &head) {}
        var pos = try InputSniffer.check(head, path: path)

        // 2. Find the first non-blank, non-comment line (reading on as needed).
        var line = 1
        var firstLine: Range<Int>
        while true {
            let end = head[pos...].firstIndex { $0 == 0x0A || $0 == 0x0D }
            if end == nil || (head[end!] == 0x0D && end! + 1 == head.count), !source.atEnd, head.count - pos <= maxLine {
                head.removeSubrange(0..<pos)
                pos = 0
                _ = try source.read(appendingTo: &head)
                continue
            }
            let lineEnd = end ?? min(head.count, pos + maxLine)
            if InputSniffer.isBlankOrComment(head[pos..<lineEnd]) {
                guard let end else { throw InputError.empty(path) }
                pos = end + (head[end] == 0x0D && end + 1 < head.count && head[end + 1] == 0x0A ? 2 : 1)
                line += 1
                if pos == head.count, source.atEnd { throw InputError.empty(path) }
                continue
            }
            firstLine = pos..<lineEnd
            break
        }

        // 3. Decide the format and delimiter (an Excel `sep=;` line names it and is skipped).
        var format = configuration.format
        if format == .auto { format = InputSniffer.looksLikeList(head[firstLine]) ? .lines : .csv }
        var delimiter = configuration.delimiter
        var skipRecords = 0
        if format == .csv, let excelHint = InputSniffer.excelSeparatorHint(head[firstLine]) {
            delimiter = delimiter ?? excelHint
            skipRecords = 1
        }
        if format == .csv, delimiter == nil { delimiter = InputSniffer.detectDelimiter(head[firstLine]) }

        // 4. Stream everything from the first meaningful line through the record parser.
        var parser = CSVRecordParser(delimiter: format == .csv ? delimiter : nil, quoting: format == .csv,
                                     maxRecordBytes: maxLine, firstLine: line)
        var rows = RowInterpreter(path: path, format: format, emailColumn: configuration.emailColumn, skipRecords: skipRecords)
        func process(_ record: CSVRecord) throws {
            if let event = try rows.interpret(record) { try handle(event) }
        }
        try head.withUnsafeBufferPointer { all in
            try parser.feed(UnsafeBufferPointer(rebasing: all[pos...]), process)
        }
        head = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            try chunk.withUnsafeBufferPointer { all in
                try parser.feed(UnsafeBufferPointer(rebasing: all[0..<n]), process)
            }
        }
        try parser.finish(process)
        return rows.summary
    }
}

/// An open file descriptor (or standard input) read in chunks with read(2).
private struct ByteSource {
    let path: String
    private let fd: Int32
    private(set) var atEnd = false

    init(path: String) throws {
        self.path = path
        if path == "-" {
            fd = 0
            return
        }
        #if canImport(Darwin)
        let flags = O_RDONLY | O_CLOEXEC
        #else
        let flags = O_RDONLY | Int32(O_CLOEXEC)
        #endif
        let opened = open(path, flags)
        if opened < 0 {
            let code = errno
            switch code {
            case ENOENT, ENOTDIR: throw InputError.notFound(path)
            case EISDIR: throw InputError.isDirectory(path)
            default: throw InputError.unreadable(path, Self.describe(code))
            }
        }
        var info = stat()
        if fstat(opened, &info) == 0, (info.st_mode & 0o170000) == 0o040000 {
            Self.closeDescriptor(opened)
            throw InputError.isDirectory(path)
        }
        fd = opened
    }

    func close() {
        if fd != 0 { Self.closeDescriptor(fd) }
    }

    private static func closeDescriptor(_ fd: Int32) {
        #if canImport(Darwin)
        _ = Darwin.close(fd)
        #elseif canImport(Glibc)
        _ = Glibc.close(fd)
        #elseif canImport(Musl)
        _ = Musl.close(fd)
        #endif
    }

    /// Reads up to `buffer.count` bytes; 0 means end of input.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if atEnd { return 0 }
        while true {
            #if canImport(Darwin)
            let n = Darwin.read(fd, buffer.baseAddress, buffer.count)
            #elseif canImport(Glibc)
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            #elseif canImport(Musl)
            let n = Musl.read(fd, buffer.baseAddress, buffer.count)
            #endif
            if n > 0 { return n }
            if n == 0 { atEnd = true; return 0 }
            let code = errno
            if code == EINTR { continue }
            if code == EISDIR { throw InputError.isDirectory(path) }
            throw InputError.unreadable(path, Self.describe(code))
        }
    }

    /// Appends one chunk to `bytes`; returns false at end of input.
    mutating func read(appendingTo bytes: inout [UInt8]) throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
        bytes.append(contentsOf: chunk[0..<n])
        return n > 0
    }

    private static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text).lowercased()
    }
}

/// Checks on the start of the input: encoding, binary content, format and delimiter.
enum InputSniffer {
    /// Throws for UTF-16/UTF-32 and binary input; returns the offset past a UTF-8 BOM.
    static func check(_ head: [UInt8], path: String) throws -> Int {
        if head.starts(with: [0x00, 0x00, 0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE, 0x00, 0x00]) {
            let order = head[0] == 0 ? "big-endian" : "little-endian"
            throw InputError.unsupportedEncoding(path, "UTF-32 (\(order))", iconvName: "UTF-32")
        }
        if head.starts(with: [0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE]) {
            let order = head[0] == 0xFE ? "big-endian" : "little-endian"
            throw InputError.unsupportedEncoding(path, "UTF-16 (\(order))", iconvName: "UTF-16")
        }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            throw InputError.notText(path, hint: "it is a ZIP archive, perhaps an Excel .xlsx workbook: save it as \"CSV UTF-8\" first")
        }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw InputError.notText(path, hint: "it is an Office document, perhaps an Excel .xls workbook: save it as \"CSV UTF-8\" first")
        }
        let start = head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let sample = head[start..<min(head.count, start + 8192)]
        var nulEven = 0, nulOdd = 0, control = 0
        for (k, b) in zip(0..., sample) where b < 0x20 || b == 0x7F {
            if b == 0 {
                if k & 1 == 0 { nulEven += 1 } else { nulOdd += 1 }
            } else if !(b >= 0x09 && b <= 0x0D) && b != 0x1A {   // tab, line breaks, form feed; DOS EOF
                control += 1
            }
        }
        let nuls = nulEven + nulOdd
        if sample.count >= 4, nuls * 4 >= sample.count, max(nulEven, nulOdd) * 10 >= nuls * 9 {
            let order = nulOdd > nulEven ? "LE" : "BE"
            throw InputError.unsupportedEncoding(path, "UTF-16 without a byte-order mark", iconvName: "UTF-16\(order)")
        }
        let suspicious = nuls + control
        if suspicious > 1, suspicious * 10 > sample.count || (suspicious >= 16 && suspicious * 100 > sample.count) {
            throw InputError.notText(path, hint: nil)
        }
        return start
    }

    /// Empty after trimming spaces and tabs, or starting with `#`.
    static func isBlankOrComment(_ line: ArraySlice<UInt8>) -> Bool {
        guard let first = line.first(where: { $0 != 0x20 && $0 != 0x09 }) else { return true }
        return first == UInt8(ascii: "#")
    }

    /// A line holding an '@' and no CSV delimiter starts a plain list of addresses.
    /// Trailing `,` / `;` (as in `bob@example.com,`) do not count.
    static func looksLikeList(_ line: ArraySlice<UInt8>) -> Bool {
        var body = line
        while let last = body.last, last == UInt8(ascii: ",") || last == UInt8(ascii: ";") || last == 0x20 || last == 0x09 {
            body = body.dropLast()
        }
        return body.contains(UInt8(ascii: "@")) && !body.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") || $0 == 0x09 }
    }

    /// Excel's `sep=;` first line.
    static func excelSeparatorHint(_ line: ArraySlice<UInt8>) -> UInt8? {
        var text = Array(line)
        while let last = text.last, last == 0x20 || last == 0x09 { text.removeLast() }
        guard text.count == 5, text[0] | 0x20 == UInt8(ascii: "s"), text[1] | 0x20 == UInt8(ascii: "e"),
              text[2] | 0x20 == UInt8(ascii: "p"), text[3] == UInt8(ascii: "=") else { return nil }
        return text[4]
    }

    /// The most frequent of `,` `;` tab outside quotes; `,` when none (or on a tie with it).
    static func detectDelimiter(_ line: ArraySlice<UInt8>) -> UInt8 {
        var counts: [UInt8: Int] = [:]
        var inQuotes = false
        for b in line {
            if b == UInt8(ascii: "\"") { inQuotes.toggle() }
            else if !inQuotes, b == UInt8(ascii: ",") || b == UInt8(ascii: ";") || b == 0x09 { counts[b, default: 0] += 1 }
        }
        var best = UInt8(ascii: ","), bestCount = counts[best] ?? 0
        for candidate in [UInt8(ascii: ";"), 0x09] where counts[candidate, default: 0] > bestCount {
            best = candidate
            bestCount = counts[candidate, default: 0]
        }
        return best
    }
}

/// Turns parsed records into header resolution and row events, keeping the counts.
struct RowInterpreter {
    static let emailColumnNames: Set<String> = [
        "email", "e mail", "email address", "e mail address", "work email", "work email address", "primary email",
        "business email", "corporate email", "mail", "userprincipalname", "upn", "user principal name",
        "emailaddress", "primaryemail", "workemail",
    ]

    let path: String
    let format: InputFormat
    let emailColumn: String?
    private var skipRecords: Int
    private(set) var summary: InputSummary
    private var haveHeader: Bool
    private var emailIndex = 0
    private var columnLabel = ""

    init(path: String, format: InputFormat, emailColumn: String?, skipRecords: Int) {
        self.path = path
        self.format = format
        self.emailColumn = emailColumn
        self.skipRecords = skipRecords
        summary = InputSummary(format: format)
        haveHeader = format != .csv
    }

    /// The event for `record`, or nil for the header, blank lines and comments.
    mutating func interpret(_ record: CSVRecord) throws -> InputEvent? {
        if skipRecords > 0 { skipRecords -= 1; return nil }
        if !haveHeader { try readHeader(record); return nil }
        if let issue = record.issue { return count(.rejected(line: record.line, reason: describe(issue, record))) }
        let outcome: Result<EmailAddress, EmailRejection>? = record.bytes.withUnsafeBufferPointer { p in
            var lo = 0, hi = p.count
            if format == .lines {
                UTF8Scan.trim(p, &lo, &hi)
                if lo == hi || p[lo] == UInt8(ascii: "#") { return nil }
            } else if record.isBlank {
                return nil
            }
            let (valid, nul) = UTF8Scan.check(p, 0, p.count)
            if nul { return .some(.failure(EmailRejection(reason: "contains a NUL byte"))) }
            if !valid || record.fieldEnds.dropLast().contains(where: { $0 < p.count && p[$0] & 0xC0 == 0x80 }) {
                return .some(.failure(EmailRejection(reason: "not valid UTF-8")))
            }
            if format == .lines {
                while hi > lo, p[hi - 1] == UInt8(ascii: ",") || p[hi - 1] == UInt8(ascii: ";") || UTF8Scan.whitespaceLength(p, hi - 1, hi) > 0 {
                    hi -= 1
                }
            } else {
                guard emailIndex < record.fieldCount else {
                    return .some(.failure(EmailRejection(reason: "no value in column \(columnLabel) (the row has only \(record.fieldCount) \(record.fieldCount == 1 ? "field" : "fields"))")))
                }
                let range = record.fieldRange(emailIndex)
                (lo, hi) = (range.lowerBound, range.upperBound)
            }
            return .some(EmailAddress.parse(utf8: UnsafeBufferPointer(rebasing: p[lo..<hi])))
        }
        switch outcome {
        case .none: return nil
        case .some(.success(let address)): return count(.email(address, line: record.line))
        case .some(.failure(let rejection)): return count(.rejected(line: record.line, reason: rejection.reason))
        }
    }

    private mutating func count(_ event: InputEvent) -> InputEvent {
        summary.rows += 1
        if case .email = event { summary.valid += 1 } else { summary.rejected += 1 }
        return event
    }

    private func describe(_ issue: CSVRecord.Issue, _ record: CSVRecord) -> String {
        let lines = "lines \(record.line)–\(record.lastLine)"
        switch issue {
        case .tooLong(let limit, let quoteLine):
            if let quoteLine {
                return "unterminated quote starting on line \(quoteLine): the record runs past \(limit) bytes (\(lines) skipped)"
            }
            if record.line == record.lastLine || format == .lines { return "line longer than \(limit) bytes" }
            return "record longer than \(limit) bytes (\(lines))"
        case .unterminatedQuote(let quoteLine):
            return "unterminated quote starting on line \(quoteLine)" + (record.lastLine > record.line ? " (\(lines) could not be read)" : "")
        }
    }

    // MARK: - Header

    private mutating func readHeader(_ record: CSVRecord) throws {
        if record.isBlank { return }
        switch record.issue {
        case .tooLong(let limit, _)?:
            throw InputError.make(.malformed, path, line: record.line,
                                  "the header line is longer than \(limit) bytes; check that this is a CSV export whose first line names the columns")
        case .unterminatedQuote(let quoteLine)?:
            throw InputError.make(.malformed, path, line: quoteLine,
                                  "the header has a quote that is never closed; fix the quoting of the header line")
        case nil:
            break
        }
        let names: [String] = record.bytes.withUnsafeBufferPointer { p in
            (0..<record.fieldCount).map { k in
                let range = record.fieldRange(k)
                var lo = range.lowerBound, hi = range.upperBound
                UTF8Scan.trim(p, &lo, &hi)
                return String(decoding: UnsafeBufferPointer(rebasing: p[lo..<hi]), as: UTF8.self)
            }
        }
        emailIndex = try resolveColumn(names, line: record.line)
        haveHeader = true
        summary.emailColumn = names[emailIndex]
        columnLabel = names[emailIndex].isEmpty ? "\(emailIndex + 1)" : names[emailIndex]
    }

    private func resolveColumn(_ names: [String], line: Int) throws -> Int {
        let columns = InputError.columnList(names)
        func fail(_ code: InputError.Code, _ text: String) -> InputError {
            InputError.make(code, path, line: line, showLine: false, text)
        }
        if let wanted = emailColumn {
            let key = wanted.trimmingWhitespace().lowercased()
            var matches = names.indices.filter { names[$0].lowercased() == key }
            if matches.isEmpty { matches = names.indices.filter { Self.normalise(names[$0]) == Self.normalise(key) } }
            if matches.count == 1 { return matches[0] }
            if matches.isEmpty {
                throw fail(.unknownEmailColumn, "the header has no column named \(wanted.debugDescription) (columns: \(columns)); pass one of these to --email-column")
            }
            let positions = matches.map { String($0 + 1) }.joined(separator: ", ")
            throw fail(.ambiguousEmailColumn, "the header has \(matches.count) columns named \(wanted.debugDescription) (at positions \(positions)); rename all but one of them in the file")
        }
        let matches = names.indices.filter { Self.emailColumnNames.contains(Self.normalise(names[$0])) }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            let found = matches.map { names[$0] }
            throw fail(.ambiguousEmailColumn, "the header has several email columns (\(found.joined(separator: ", "))); choose one with --email-column, e.g. --email-column \(found[0].debugDescription)")
        }
        var text = "the header has no email column (columns: \(columns)); name it with --email-column"
        if let address = names.first(where: { (try? EmailAddress.parse($0).get()) != nil }) {
            text += ". The first line looks like data rather than a header (it holds the address \(address.debugDescription)): add a header line naming the columns, e.g. \"name,email\""
        }
        throw fail(.noEmailColumn, text)
    }

    /// Lower-cased, trimmed, with runs of spaces, underscores and hyphens collapsed to one space.
    static func normalise(_ name: String) -> String {
        var out = ""
        var gap = false
        for ch in name.lowercased() {
            if ch == "_" || ch == "-" || ch.isWhitespace || ch == "\u{FEFF}" {
                gap = !out.isEmpty
            } else {
                if gap { out.append(" ") }
                gap = false
                out.append(ch)
            }
        }
        return out
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var copy = self
        return copy.withUTF8 { p in
            var lo = 0, hi = p.count
            UTF8Scan.trim(p, &lo, &hi)
            return String(decoding: UnsafeBufferPointer(rebasing: p[lo..<hi]), as: UTF8.self)
        }
    }
}
