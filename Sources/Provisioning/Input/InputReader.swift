#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

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
        if format == .auto {  // naming an email column implies there is a header
            format = configuration.emailColumn == nil && InputSniffer.looksLikeList(head[firstLine]) ? .lines : .csv
        }
        var delimiter = configuration.delimiter
        var skipRecords = 0
        if format == .csv, let excelHint = InputSniffer.excelSeparatorHint(head[firstLine]) {
            delimiter = delimiter ?? excelHint
            skipRecords = 1
        }
        if format == .csv, delimiter == nil { delimiter = InputSniffer.detectDelimiter(head[firstLine]) }
        if format == .lines, let filter = configuration.filters.first { throw InputError.filterNeedsHeader(path, filter) }

        // 4. Stream everything from the first meaningful line through the record parser.
        var parser = CSVRecordParser(delimiter: format == .csv ? delimiter : nil, quoting: format == .csv,
                                     maxRecordBytes: maxLine, firstLine: line)
        var rows = RowInterpreter(path: path, format: format, emailColumn: configuration.emailColumn,
                                  filters: configuration.filters, skipRecords: skipRecords)
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
            throw InputError.notText(path, hint: "it is a ZIP archive, perhaps an Excel .xlsx workbook")
        }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw InputError.notText(path, hint: "it is an Office document, perhaps an Excel .xls workbook")
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
