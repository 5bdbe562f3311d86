import Foundation
import Testing
@testable import Provisioning

/// A fresh directory under the system temp directory holding real input files.
private struct InputFixture {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("bulkgrant-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    func write(_ name: String = "input.csv", bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func write(_ name: String = "input.csv", _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }
}

/// Reads `text` from a real file and returns every event plus the summary.
private func readAll(_ text: String, name: String = "input.csv",
                     configure: (inout InputReaderConfiguration) -> Void = { _ in }) throws -> (events: [InputEvent], summary: InputSummary) {
    try readAll(bytes: Array(text.utf8), name: name, configure: configure)
}

private func readAll(bytes: [UInt8], name: String = "input.csv",
                     configure: (inout InputReaderConfiguration) -> Void = { _ in }) throws -> (events: [InputEvent], summary: InputSummary) {
    let fixture = try InputFixture()
    defer { fixture.remove() }
    let path = try fixture.write(name, bytes: bytes)
    var configuration = InputReaderConfiguration()
    configure(&configuration)
    var events: [InputEvent] = []
    let summary = try InputReader(path: path, configuration: configuration).read { events.append($0) }
    return (events, summary)
}

/// Loads `text` from a real file as an `InputSet`.
private func loadSet(_ text: String, domains: Set<String> = [],
                     configure: (inout InputReaderConfiguration) -> Void = { _ in }) throws -> InputSet {
    let fixture = try InputFixture()
    defer { fixture.remove() }
    let path = try fixture.write("input.csv", text)
    var configuration = InputReaderConfiguration()
    configure(&configuration)
    return try InputSet.load(path: path, configuration: configuration, domains: domains)
}

/// Reads `text` expecting a whole-file error.
private func readError(_ text: String, configure: (inout InputReaderConfiguration) -> Void = { _ in }) throws -> InputError {
    try #require(throws: InputError.self) { _ = try readAll(text, configure: configure) }
}

private func emails(_ events: [InputEvent]) -> [(String, Int)] {
    events.compactMap { if case .email(let address, let line) = $0 { (address.value, line) } else { nil } }
}

private func rejections(_ events: [InputEvent]) -> [(Int, String)] {
    events.compactMap { if case .rejected(let line, let reason) = $0 { (line, reason) } else { nil } }
}

private func address(_ text: String) -> EmailAddress { try! EmailAddress.parse(text).get() }

@Suite("InputReader")
struct InputReaderTests {
    // MARK: Encodings and line endings

    @Test("a UTF-8 BOM is stripped so the first header name is still found")
    func bomHeader() throws {
        let (events, summary) = try readAll("\u{FEFF}Email,Name\nbob@example.com,Bob\n")
        #expect(summary.emailColumn == "Email")
        #expect(summary.format == .csv)
        #expect(events == [.email(address("bob@example.com"), line: 2)])
    }

    @Test("CRLF line endings are handled and do not leak into the last field")
    func crlf() throws {
        let (events, summary) = try readAll("Name,Email\r\nBob,bob@example.com\r\nAl,al@example.com\r\n")
        #expect(events == [.email(address("bob@example.com"), line: 2), .email(address("al@example.com"), line: 3)])
        #expect(summary.rows == 2)
    }

    @Test("a CRLF split across a 64 KiB read boundary counts as one line break")
    func crlfAcrossChunks() throws {
        let header = "Name,Email\r\n"
        let padding = String(repeating: "x", count: 64 * 1024 - header.utf8.count - ",a@example.com".utf8.count - 1)
        let text = header + padding + ",a@example.com\r\nBob,bob@example.com\r\n"
        #expect(Array(text.utf8)[64 * 1024 - 1] == 0x0D)
        let (events, _) = try readAll(text)
        #expect(emails(events).map(\.1) == [2, 3])
    }

    @Test("lone CR line endings (old Mac exports) end lines")
    func loneCR() throws {
        let (events, summary) = try readAll("Name,Email\rBob,bob@example.com\rAl,al@example.com")
        #expect(events == [.email(address("bob@example.com"), line: 2), .email(address("al@example.com"), line: 3)])
        #expect(summary.rows == 2)
    }

    @Test("UTF-16 input is refused with an iconv hint", arguments: [
        ([0xFF, 0xFE] as [UInt8], "UTF-16 (little-endian)"),
        ([0xFE, 0xFF] as [UInt8], "UTF-16 (big-endian)"),
        ([0xFF, 0xFE, 0x00, 0x00] as [UInt8], "UTF-32 (little-endian)"),
        ([0x00, 0x00, 0xFE, 0xFF] as [UInt8], "UTF-32 (big-endian)"),
    ])
    func utf16(bom: [UInt8], encoding: String) throws {
        var bytes = bom
        for unit in "Email\nbob@example.com\n".utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let error = try #require(throws: InputError.self) { _ = try readAll(bytes: bytes) }
        #expect(error.code == .unsupportedEncoding)
        #expect(error.message.contains(encoding))
        #expect(error.message.contains("iconv -f"))
        #expect(error.message.contains("-t UTF-8"))
    }

    @Test("UTF-16 without a byte-order mark is recognised as such")
    func utf16WithoutBOM() throws {
        var bytes: [UInt8] = []
        for unit in "Email\nbob@example.com\nal@example.com\n".utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let error = try #require(throws: InputError.self) { _ = try readAll(bytes: bytes) }
        #expect(error.code == .unsupportedEncoding)
        #expect(error.message.contains("iconv -f UTF-16LE"))
    }

    @Test("a Windows-1252 name is read by its address and counted; an address that is not UTF-8 is rejected")
    func invalidUTF8Row() throws {
        var bytes = Array("Name,Email\nBob,bob@example.com\n".utf8)
        bytes += [0x4A, 0xE9, 0x72, 0xF4, 0x6D, 0x65] + Array(",jerome@example.com\n".utf8)  // Latin-1 "Jérôme"
        bytes += Array("Al,al".utf8) + [0xE9] + Array("@example.com\n".utf8)
        let (events, summary) = try readAll(bytes: bytes)
        #expect(emails(events).map(\.0) == ["bob@example.com", "jerome@example.com"])
        #expect(rejections(events).map(\.0) == [4])
        #expect(rejections(events).first?.1.hasPrefix("column Email is not valid UTF-8 (a file saved as Windows-1252?") == true)
        #expect(summary.rows == 3 && summary.valid == 2 && summary.rejected == 1)
        #expect(summary.undecodableRows == 1 && summary.firstUndecodableLine == 3)
    }

    @Test("a filter column that is not UTF-8 rejects the row: an exclusion must not miss a value it cannot read")
    func invalidUTF8FilterColumn() throws {
        var bytes = Array("Name,Email,Status\nBob,bob@example.com,Active\n".utf8)
        bytes += Array("Jo,jo@example.com,R".utf8) + [0xE9] + Array("sili".utf8) + [0xE9] + Array("\n".utf8)
        let filter = try RowFilter(parsing: "Status=Résilié", kind: .exclude)
        let (events, _) = try readAll(bytes: bytes) { $0.filters = [filter] }
        #expect(emails(events).map(\.0) == ["bob@example.com"])
        #expect(rejections(events).first?.1.hasPrefix("column Status is not valid UTF-8") == true)
    }

    @Test("a row holding a NUL byte is rejected")
    func nulByteRow() throws {
        let (events, summary) = try readAll("Email\nbob@example.com\nal\u{0}@example.com\ncy@example.com\n")
        #expect(rejections(events).map(\.0) == [3])
        #expect(rejections(events).map(\.1) == ["contains a NUL byte"])
        #expect(emails(events).map(\.0) == ["bob@example.com", "cy@example.com"])
        #expect(summary.rejected == 1)
    }

    @Test("a binary file is refused as not text")
    func binaryFile() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let error = try #require(throws: InputError.self) { _ = try readAll(bytes: [0x7F, 0x45, 0x4C, 0x46] + bytes) }
        #expect(error.code == .unreadable)
        #expect(error.message.contains("does not look like text"))
    }

    // MARK: CSV structure

    @Test("quoted names containing commas do not shift the email column")
    func quotedCommas() throws {
        let (events, _) = try readAll("Name,Email,Dept\n\"Smith, Bob\",bob@example.com,\"Sales, EMEA\"\n\"O\"\"Neil, Al\",al@example.com,IT\n")
        #expect(events == [.email(address("bob@example.com"), line: 2), .email(address("al@example.com"), line: 3)])
    }

    @Test("a quoted field with a line break spans lines and the next record's line number accounts for it")
    func quotedLineBreak() throws {
        let (events, summary) = try readAll("Name,Email\n\"Bob\nSmith\r\nJr\",bob@example.com\nAl,al@example.com\n")
        #expect(events == [.email(address("bob@example.com"), line: 2), .email(address("al@example.com"), line: 5)])
        #expect(summary.rows == 2)
    }

    @Test("an unterminated quote is reported at its line, not swallowed silently")
    func unterminatedQuote() throws {
        let (events, summary) = try readAll("Name,Email\nBob,bob@example.com\n\"Al,al@example.com\nCy,cy@example.com\n")
        #expect(emails(events).map(\.0) == ["bob@example.com"])
        let rejected = rejections(events)
        #expect(rejected.count == 1)
        #expect(rejected.first?.0 == 3)
        #expect(rejected.first?.1.hasPrefix("unterminated quote starting on line 3") == true)
        #expect(rejected.first?.1.contains("lines 3–4") == true)
        #expect(summary.rows == 2 && summary.rejected == 1)
    }

    @Test("an over-long (200 KB) line is rejected, the next rows are still read", arguments: ["letters", "commas", "quoted"])
    func overlongLine(kind: String) throws {
        let long = switch kind {
        case "letters": String(repeating: "a", count: 200_000) + "@example.com"
        case "commas": String(repeating: ",", count: 200_000)
        default: "\"" + String(repeating: "a", count: 200_000) + "\""
        }
        let (events, summary) = try readAll("Email\nbob@example.com\n\(long)\nal@example.com\n")
        #expect(events == [
            .email(address("bob@example.com"), line: 2),
            .rejected(line: 3, reason: "line longer than 65536 bytes"),
            .email(address("al@example.com"), line: 4),
        ])
        #expect(summary.rows == 3)
    }

    @Test("an over-long line keeps the record buffer bounded by the limit")
    func overlongLineMemoryIsBounded() throws {
        var parser = CSVRecordParser(delimiter: UInt8(ascii: ","), quoting: true, maxRecordBytes: 64 * 1024)
        let line = [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024)
        var records: [(issue: CSVRecord.Issue?, capacity: Int, line: Int)] = []
        let collect: (CSVRecord) -> Void = { records.append(($0.issue, $0.bytes.capacity, $0.line)) }
        for _ in 0..<32 {  // a single 2 MiB line, fed in 64 KiB chunks
            line.withUnsafeBufferPointer { parser.feed($0, collect) }
        }
        Array("\nbob@example.com\n".utf8).withUnsafeBufferPointer { parser.feed($0, collect) }
        parser.finish(collect)
        #expect(records.count == 2)
        #expect(records.first?.issue == .tooLong(limit: 64 * 1024, openQuoteLine: nil))
        #expect((records.first?.capacity ?? .max) <= 2 * 64 * 1024)
        #expect(records.last?.line == 2)
    }

    @Test("a stray quote that swallows more than the limit is reported with the lines it skipped")
    func strayQuoteOverLimit() throws {
        var text = "Name,Email\nBob,bob@example.com\n\"Al,al@example.com\n"
        for k in 0..<2_000 { text += "P\(k),p\(k)@example.com\n" }
        let (events, _) = try readAll(text) { $0.maxLineBytes = 1_000 }
        let rejected = rejections(events)
        #expect(rejected.count == 1)
        #expect(rejected.first?.0 == 3)
        #expect(rejected.first?.1.contains("the quote opened on line 3 is probably never closed") == true)
        // Reading resumes at the line break after the limit was hit; everything after is read normally.
        let lines = emails(events).map(\.1)
        #expect(lines.first == 2)
        #expect(lines.dropFirst().first.map { $0 > 4 } == true)
        #expect(lines.last == 2_003)
    }

    @Test("maxLineBytes is configurable")
    func maxLineBytesSetting() throws {
        let (events, _) = try readAll("Email\nbob@example.com\nsome.rather.long.name@example.com\n") { $0.maxLineBytes = 20 }
        #expect(events == [.email(address("bob@example.com"), line: 2), .rejected(line: 3, reason: "line longer than 20 bytes")])
    }

    @Test("blank lines and all-empty rows are skipped, not counted")
    func blankLines() throws {
        let (events, summary) = try readAll("Name,Email\n\nBob,bob@example.com\n,\n   \nAl,al@example.com\n\n")
        #expect(emails(events).map(\.1) == [3, 6])
        #expect(summary.rows == 2 && summary.rejected == 0)
    }

    @Test("an empty email cell is rejected with its line number")
    func blankEmailCell() throws {
        let (events, summary) = try readAll("Name,Email,Dept\nBob,bob@example.com,IT\nAl,,IT\nCy,  ,IT\n")
        #expect(rejections(events).map(\.0) == [3, 4])
        #expect(rejections(events).map(\.1) == ["empty email", "empty email"])
        #expect(summary.valid == 1 && summary.rejected == 2)
    }

    @Test("a row too short to reach the email column is rejected")
    func shortRow() throws {
        let (events, _) = try readAll("Name,Dept,Email\nBob,IT,bob@example.com\nAl\n")
        #expect(rejections(events).map(\.0) == [3])
        #expect(rejections(events).first?.1.hasPrefix("no value in column Email") == true)
    }

    @Test("semicolon-delimited files are detected")
    func semicolon() throws {
        let (events, _) = try readAll("Name;Email;Dept\n\"Smith, Bob\";bob@example.com;IT\n")
        #expect(events == [.email(address("bob@example.com"), line: 2)])
    }

    @Test("tab-delimited files are detected")
    func tab() throws {
        let (events, summary) = try readAll("Name\tWork Email\tDept\nSmith, Bob\tbob@example.com\tIT\n \tal@example.com\t\"IT; Ops\"\n")
        #expect(events == [.email(address("bob@example.com"), line: 2), .email(address("al@example.com"), line: 3)])
        #expect(summary.emailColumn == "Work Email")
    }

    @Test("an explicit delimiter overrides detection")
    func explicitDelimiter() throws {
        let (events, _) = try readAll("Name|Email\nBob, Jr|bob@example.com\n") { $0.delimiter = UInt8(ascii: "|") }
        #expect(events == [.email(address("bob@example.com"), line: 2)])
    }

    @Test("an Excel sep= line sets the delimiter and is not the header")
    func excelSeparatorLine() throws {
        let (events, summary) = try readAll("sep=;\nName;Email\nBob;bob@example.com\n")
        #expect(events == [.email(address("bob@example.com"), line: 3)])
        #expect(summary.emailColumn == "Email")
    }

    // MARK: Cell normalisation

    @Test("mailto: prefixes are dropped")
    func mailto() throws {
        let (events, _) = try readAll("Name,Email\nBob,mailto:Bob@Example.com\nAl,MAILTO:al@example.com?subject=hi\n")
        #expect(emails(events).map(\.0) == ["bob@example.com", "al@example.com"])
    }

    @Test("Name <email> cells are unwrapped")
    func displayName() throws {
        let (events, _) = try readAll("Name,Email\nBob,\"Smith, Bob\" <bob@example.com>\nAl,\"Al <AL@example.com>\"\n")
        #expect(emails(events).map(\.0) == ["bob@example.com", "al@example.com"])
    }

    @Test("IDN domains and non-ASCII local parts are accepted as Unicode")
    func idn() throws {
        let (events, _) = try readAll("Email\njörg@münchen.de\nuser@例え.jp\n")
        #expect(emails(events).map(\.0) == ["jörg@münchen.de", "user@例え.jp"])
    }

    @Test("a Terminated/Status column does not filter rows: every row is read")
    func terminatedColumnIgnored() throws {
        let (events, summary) = try readAll("Name,Email,Terminated,Status\nBob,bob@example.com,yes,terminated\nAl,al@example.com,no,active\n")
        #expect(emails(events).map(\.0) == ["bob@example.com", "al@example.com"])
        #expect(summary.valid == 2)
    }

    // MARK: Email column

    @Test("a header named \"Work Email\" is found")
    func workEmail() throws {
        let (events, summary) = try readAll("Employee ID,Full Name,Work Email,Personal Email\n1,Bob,bob@example.com,bob@gmail.com\n")
        #expect(summary.emailColumn == "Work Email")
        #expect(emails(events).map(\.0) == ["bob@example.com"])
    }

    @Test("other email header names (userPrincipalName, UPN, E-Mail, …) are found", arguments: ["userPrincipalName", "UPN", "E-Mail", "email_address", " Primary  Email "])
    func otherNames(name: String) throws {
        let (events, summary) = try readAll("displayName,\(name)\nBob,bob@example.com\n")
        #expect(summary.emailColumn == name.trimmingCharacters(in: .whitespaces))
        #expect(emails(events).map(\.0) == ["bob@example.com"])
    }

    @Test("two candidate email columns are an ambiguity error")
    func ambiguous() throws {
        let error = try readError("Name,Email,Work Email\nBob,bob@example.com,bob@corp.example.com\n")
        #expect(error.code == .ambiguousEmailColumn)
        #expect(error.message.contains("Email, Work Email"))
        #expect(error.message.contains("--email-column"))
        #expect(error.line == 1)
    }

    @Test("no email column is an error listing the columns")
    func noEmailColumn() throws {
        let error = try readError("Name,Dept,Personal Email\nBob,IT,bob@gmail.com\n")
        #expect(error.code == .noEmailColumn)
        #expect(error.message.contains("(columns: Name, Dept, Personal Email)"))
        #expect(error.message.contains("--email-column"))
        #expect(error.message.hasPrefix(error.path + ": "))
    }

    @Test("a headerless CSV gets a hint that its first line looks like data")
    func headerlessCSV() throws {
        let error = try readError("Bob,bob@example.com\nAl,al@example.com\n")
        #expect(error.code == .noEmailColumn)
        #expect(error.message.contains("looks like data"))
    }

    @Test("--email-column picks the column, case-insensitively and trimmed")
    func emailColumnOverride() throws {
        let (events, summary) = try readAll("Name,Email,Contact\nBob,bob@old.example.com,bob@example.com\n") {
            $0.emailColumn = "  CONTACT "
        }
        #expect(summary.emailColumn == "Contact")
        #expect(emails(events).map(\.0) == ["bob@example.com"])
    }

    @Test("--email-column resolves an ambiguity")
    func emailColumnResolvesAmbiguity() throws {
        let (events, _) = try readAll("Name,Email,Work Email\nBob,bob@gmail.com,bob@example.com\n") { $0.emailColumn = "work email" }
        #expect(emails(events).map(\.0) == ["bob@example.com"])
    }

    @Test("--email-column makes auto-detection read the first line as a CSV header")
    func emailColumnImpliesHeader() throws {
        let (events, summary) = try readAll("owner@example.com\nbob@example.com\n") { $0.emailColumn = "OWNER@example.com" }
        #expect(summary.format == .csv)
        #expect(summary.emailColumn == "owner@example.com")
        #expect(events == [.email(address("bob@example.com"), line: 2)])
    }

    @Test("an --email-column that is not in the header is an error listing the columns")
    func unknownEmailColumn() throws {
        let error = try readError("Name,Email\nBob,bob@example.com\n") { $0.emailColumn = "Mailbox" }
        #expect(error.code == .unknownEmailColumn)
        #expect(error.message.contains("\"Mailbox\""))
        #expect(error.message.contains("columns: Name, Email"))
    }

    // MARK: Plain lists

    @Test("a newline list with blank lines and # comments is read as lines with physical line numbers")
    func newlineList() throws {
        let (events, summary) = try readAll("# exported 2024-05-01\n\nbob@example.com\n  # a comment\n\n  al@example.com  \n#cy@example.com\n", name: "list.txt")
        #expect(summary.format == .lines)
        #expect(summary.emailColumn == nil)
        #expect(events == [.email(address("bob@example.com"), line: 3), .email(address("al@example.com"), line: 6)])
        #expect(summary.rows == 2)
    }

    @Test("trailing commas and semicolons in a list are stripped")
    func trailingDelimiters() throws {
        let (events, summary) = try readAll("bob@example.com,\nal@example.com ;\ncy@example.com, ;\n", name: "list.txt")
        #expect(summary.format == .lines)
        #expect(emails(events).map(\.0) == ["bob@example.com", "al@example.com", "cy@example.com"])
    }

    @Test("format .lines can be forced")
    func forcedLines() throws {
        let (events, summary) = try readAll("\"Bob Smith\" <bob@example.com>\nnot an address\n") { $0.format = .lines }
        #expect(summary.format == .lines)
        #expect(emails(events).map(\.0) == ["bob@example.com"])
        #expect(rejections(events).map(\.0) == [2])
    }

    // MARK: Whole-file errors

    @Test("an empty file is an error", arguments: ["", "\u{FEFF}", "\n\n  \r\n", "\u{FEFF}\n# only a comment\n"])
    func emptyFile(text: String) throws {
        let error = try readError(text)
        #expect(error.code == .empty)
        #expect(error.message.contains("empty"))
    }

    @Test("a directory path is an error")
    func directory() throws {
        let fixture = try InputFixture()
        defer { fixture.remove() }
        let error = try #require(throws: InputError.self) { _ = try InputReader(path: fixture.directory.path).read { _ in } }
        #expect(error.code == .isDirectory)
        #expect(error.path == fixture.directory.path)
        #expect(error.message.contains("is a directory"))
    }

    @Test("a missing path is an error")
    func missing() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).csv").path
        let error = try #require(throws: InputError.self) { _ = try InputReader(path: path).read { _ in } }
        #expect(error.code == .notFound)
        #expect(error.message.hasPrefix(path + ": no such file"))
    }

    @Test("an unterminated quote in the header is a malformed-file error")
    func malformedHeader() throws {
        let error = try readError("Name,\"Email\nBob,bob@example.com\n")
        #expect(error.code == .malformed)
    }

    // MARK: Counting and folding

    @Test("when every row is invalid nothing is valid and each rejection has its line")
    func everyRowInvalid() throws {
        let set = try loadSet("Name,Email\nBob,bob\nAl,al@\nCy,\nDi,di@example\n")
        #expect(set.summary.valid == 0)
        #expect(set.summary.rows == 4 && set.summary.rejected == 4)
        #expect(set.emails.isEmpty)
        #expect(set.rejections.map(\.line) == [2, 3, 4, 5])
        #expect(set.rejections.map(\.reason) == [
            "no '@' in \"bob\"",
            "invalid email \"al@\": domain is empty",
            "empty email",
            "invalid email \"di@example\": domain \"example\" has no dot",
        ])
    }

    @Test("duplicates in another case are folded and counted")
    func duplicatesFolded() throws {
        let set = try loadSet("Name,Email\nBob,Bob@Example.com\nAl,al@example.com\nBobby,bob@example.com\nBOB,BOB@EXAMPLE.COM\n")
        #expect(set.emails.map(\.value) == ["bob@example.com", "al@example.com"])
        #expect(set.duplicates == 2)
        #expect(set.summary.valid == 4)
    }

    @Test("a domain filter drops and counts addresses outside it")
    func domainFilter() throws {
        let set = try loadSet("Email\nbob@example.com\nal@gmail.com\ncy@EXAMPLE.org\ndi@sub.example.com\nal@gmail.com\n",
                              domains: ["Example.com", "@example.org"])
        #expect(set.emails.map(\.value) == ["bob@example.com", "cy@example.org"])
        #expect(set.outsideDomains == 2)  // al@gmail.com, di@sub.example.com (subdomains do not match)
        #expect(set.duplicates == 1)
        #expect(set.summary.valid == set.emails.count + set.duplicates + set.outsideDomains)
    }

    @Test("100,000 copies of one address fold into one email and 99,999 duplicates")
    func manyCopies() throws {
        var text = "Name,Email\n"
        text.reserveCapacity(3_000_000)
        for k in 0..<100_000 { text += k.isMultiple(of: 2) ? "Bob,bob@example.com\n" : "Bob,Bob@Example.COM\n" }
        let set = try loadSet(text)
        #expect(set.emails.map(\.value) == ["bob@example.com"])
        #expect(set.duplicates == 99_999)
        #expect(set.summary.rows == 100_000 && set.summary.valid == 100_000)
    }

    @Test("the address column used is named with the others that look like one")
    func otherAddressColumnsNamed() throws {
        let set = try loadSet("Name,Work Email,Manager Email,Personal E-mail,Dept\nAnn,ann@acme.example,boss@acme.example,ann@home.example,X\n")
        #expect(set.summary.emailColumn == "Work Email")
        #expect(set.summary.otherAddressColumns == ["Manager Email", "Personal E-mail"])
        let single = try loadSet("Name,Email\nAnn,ann@acme.example\n")
        #expect(single.summary.otherAddressColumns.isEmpty)
    }
}
