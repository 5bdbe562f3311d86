import Foundation
import Testing

/// One file of the bad-input corpus, generated at test time, and what `bulkgrant run` must
/// answer for it.
struct CorpusFile: Sendable, CustomTestStringConvertible {
    enum Source: Sendable {
        case text(String)
        case bytes([UInt8])
        /// Written by a function: for big or odd files (a directory, a missing path, …).
        case made(@Sendable (TemporaryDirectory, String) throws -> String)
        /// Standard input (`-`) with this content.
        case stdin(String)
    }

    var name: String
    var source: Source
    /// 2 only when nothing valid is left.
    var exit: Int32
    /// Users granted (from `--json`); nil when the file is refused as a whole.
    var granted: Int?
    /// What standard error must say, line numbers included.
    var messages: [String] = []
    var duplicates: Int?
    var extra: [String] = []
    /// Run as an unprivileged user (a chmod 000 file is readable by root).
    var unprivileged = false

    var testDescription: String { name }
}

extension Reliability {
    /// The bad-input corpus of issue 6. Every file runs through the built binary with an in-process
    /// sandbox; none may crash, each must get a clear message (with its line number when the problem
    /// is a row), and exit 2 must mean that nothing valid was left.
    @Suite("bad input corpus")
    struct BadInputCorpusTests {
        static let corpus: [CorpusFile] = [
            .init(name: "empty.csv", source: .text(""), exit: 2, messages: ["empty.csv: the file is empty"]),
            .init(name: "blank-lines-and-comments.txt", source: .text("\n\n# HR export\n   \n\t\n"), exit: 2,
                  messages: ["the file is empty"]),
            .init(name: "binary.bin", source: .bytes(Array((0..<10240).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 3) })),
                  exit: 2, messages: ["does not look like text"]),
            .init(name: "xlsx-saved-as.csv", source: .bytes([0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 300)),
                  exit: 2, messages: ["ZIP archive, perhaps an Excel .xlsx workbook"]),
            .init(name: "a-directory", source: .made { dir, name in
                try FileManager.default.createDirectory(atPath: dir.file(name), withIntermediateDirectories: true)
                return dir.file(name)
            }, exit: 2, messages: ["this is a directory"]),
            .init(name: "missing.csv", source: .made { dir, name in dir.file(name) }, exit: 2,
                  messages: ["missing.csv: no such file"]),
            .init(name: "chmod-000.csv", source: .made { dir, name in
                let path = try dir.write(name, "Email\nann@acme.example\n")
                chmod(path, 0)
                return path
            }, exit: 2, messages: ["cannot be read (permission denied)"], unprivileged: true),
            .init(name: "/proc/self/mem (open succeeds, read fails)", source: .made { _, _ in "/proc/self/mem" },
                  exit: 2, messages: ["/proc/self/mem: cannot be read (input/output error)"]),
            .init(name: "invalid-utf8.csv", source: .bytes(Array("Name,Email\nAnn,ann@acme.example\nBad ".utf8) + [0xFF, 0xFE]
                + Array(" name,bad@acme.example\nBob,bob@acme.example\n".utf8)),
                  exit: 0, granted: 3, messages: ["1 row holds text that is not UTF-8 outside the address (first: line 3)"]),
            .init(name: "invalid-utf8-address.csv", source: .bytes(Array("Name,Email\nAnn,ann@acme.example\nBad,b".utf8) + [0xFF]
                + Array("d@acme.example\nBob,bob@acme.example\n".utf8)),
                  exit: 0, granted: 2, messages: ["rejected line 3: column Email is not valid UTF-8"]),
            .init(name: "latin1-names.csv", source: .bytes(Array("Name,Email\nJos".utf8) + [0xE9]
                + Array(",jose@acme.example\nAnn,ann@acme.example\n".utf8)),
                  exit: 0, granted: 2, messages: ["iconv -f WINDOWS-1252 -t UTF-8"]),
            .init(name: "nul-byte.csv", source: .bytes(Array("Name,Email\nAnn,ann@acme.example\nNul,nul".utf8) + [0]
                + Array("@acme.example\nBob,bob@acme.example\n".utf8)),
                  exit: 0, granted: 2, messages: ["rejected line 3: contains a NUL byte"]),
            .init(name: "ten-megabyte-line.txt", source: .made { dir, name in
                var data = Data("ann@acme.example\n".utf8)
                data.append(Data(repeating: UInt8(ascii: "x"), count: 10 << 20))
                data.append(Data("@acme.example\nbob@acme.example\n".utf8))
                return try dir.write(name, data)
            }, exit: 0, granted: 2, messages: ["rejected line 2: line longer than 65536 bytes"]),
            .init(name: "unterminated-quote.csv",
                  source: .text("Name,Email\nAnn,ann@acme.example\n\"Bob, unterminated,bob@acme.example\nCarl,carl@acme.example\n"),
                  exit: 0, granted: 1, messages: ["rejected line 3: unterminated quote starting on line 3 (lines 3–4 could not be read)"]),
            .init(name: "no-email-column.csv", source: .text("Name,Department\nAnn,Sales\nBob,IT\n"), exit: 2,
                  messages: ["the header has no email column (columns: Name, Department); name it with --email-column"]),
            .init(name: "headerless-csv.csv", source: .text("Ann,ann@acme.example\nBob,bob@acme.example\n"), exit: 2,
                  messages: ["looks like data rather than a header"]),
            .init(name: "two-email-columns.csv", source: .text("Name,Email,Work Email\nAnn,ann@home.example,ann@acme.example\n"),
                  exit: 2, messages: ["several email columns (Email, Work Email); choose one with --email-column"]),
            .init(name: "two-email-columns-chosen.csv",
                  source: .text("Name,Email,Work Email\nAnn,ann@home.example,ann@acme.example\n"),
                  exit: 0, granted: 1, extra: ["--email-column", "Work Email"]),
            .init(name: "every-row-invalid.csv", source: .text("Name,Email\nAnn,ann-at-acme\nBob,bob@\nCarl,@acme.example\n"),
                  exit: 2, messages: [
                      "rejected line 2: no '@' in \"ann-at-acme\"", "rejected line 3: invalid email \"bob@\": domain is empty",
                      "rejected line 4: invalid email \"@acme.example\": local part is empty",
                  ]),
            .init(name: "header-only.csv", source: .text("Name,Email\n\n"), exit: 2, messages: ["no data rows"]),
            .init(name: "hundred-thousand-copies.txt", source: .made { dir, name in
                try dir.write(name, String(repeating: "same@acme.example\n", count: 100_000))
            }, exit: 0, granted: 1, duplicates: 99_999),
            // 60,000 CRLF lines, many 64 KiB chunks: the line number must still be exact. Only the
            // last line is in --domain, so that one user is granted.
            .init(name: "bad-row-at-line-54321-of-60000.txt", source: .made { dir, name in
                var lines = (1...60_000).map { "u\($0)@other.example" }
                lines[54_320] = "broken@@other.example"
                lines[59_999] = "ann@acme.example"
                return try dir.write(name, lines.joined(separator: "\r\n") + "\r\n")
            }, exit: 0, granted: 1, messages: ["rejected line 54321: invalid email \"broken@@other.example\""],
                  extra: ["--domain", "acme.example"]),
            .init(name: "idn-domain.txt", source: .text("jürgen@bücher.example\nJÜRGEN@BÜCHER.example\nann@acme.example\n"),
                  exit: 0, granted: 2, duplicates: 1),
            .init(name: "case-and-whitespace.txt", source: .text("  Ann@ACME.example\nann@acme.EXAMPLE  \n\tANN@acme.example\t\n\u{00A0}ann@acme.example\n"),
                  exit: 0, granted: 1, duplicates: 3),
            .init(name: "mailto.txt", source: .text("mailto:ann@acme.example\nMAILTO:bob@acme.example?subject=hi\n"),
                  exit: 0, granted: 2),
            .init(name: "name-angle-brackets.csv",
                  source: .text("Name,Email\nAnn,\"Ann Smith <ann@acme.example>\"\nBob,Bob <bob@acme.example>\nEve,Eve <eve@acme.example\n"),
                  exit: 0, granted: 2, messages: ["rejected line 4: invalid email \"Eve <eve@acme.example\": unbalanced '<' and '>'"]),
            .init(name: "trailing-commas.txt", source: .text("ann@acme.example,\nbob@acme.example,,\ncarl@acme.example;\n"),
                  exit: 0, granted: 3),
            .init(name: "trailing-commas.csv", source: .text("Name,Email,,\nAnn,ann@acme.example,,\nBob,bob@acme.example,,,\n"),
                  exit: 0, granted: 2),
            .init(name: "semicolon-separated.csv", source: .text("Name;Email;Dept\nAnn;ann@acme.example;Sales\n\"Smith; Bob\";bob@acme.example;IT\n"),
                  exit: 0, granted: 2),
            .init(name: "excel-sep-line.csv", source: .text("sep=;\nName;Email\nAnn;ann@acme.example\n"), exit: 0, granted: 1),
            .init(name: "tab-separated.tsv", source: .text("Name\tEmail\nAnn\tann@acme.example\n"), exit: 0, granted: 1),
            .init(name: "utf16le-with-bom.csv", source: .bytes(utf16LE("\u{FEFF}Name,Email\nAnn,ann@acme.example\n")), exit: 2,
                  messages: ["encoded as UTF-16 (little-endian), but only UTF-8 is supported; convert it first, e.g. iconv -f UTF-16 -t UTF-8"]),
            .init(name: "utf16le-without-bom.csv", source: .bytes(utf16LE("Name,Email\nAnn,ann@acme.example\nBob,bob@acme.example\n")),
                  exit: 2, messages: ["UTF-16 without a byte-order mark", "iconv -f UTF-16LE"]),
            .init(name: "utf32.csv", source: .bytes([0xFF, 0xFE, 0, 0] + Array("E".utf8) + [0, 0, 0]), exit: 2,
                  messages: ["UTF-32"]),
            .init(name: "utf8-bom-crlf.csv", source: .bytes([0xEF, 0xBB, 0xBF] + Array("Name,Email\r\nAnn,ann@acme.example\r\nBob,bob@acme.example\r\n".utf8)),
                  exit: 0, granted: 2),
            .init(name: "cr-only-line-ends.csv", source: .text("Name,Email\rAnn,ann@acme.example\rBob,bob@@acme.example\r"),
                  exit: 0, granted: 1, messages: ["rejected line 3:"]),
            .init(name: "quoted-line-breaks.csv",
                  source: .text("Name,Email,Note\nAnn,ann@acme.example,\"line one\nline two, with comma\"\nBob,bob@@acme.example,x\nCarl,carl@acme.example,y\n"),
                  exit: 0, granted: 2, messages: ["rejected line 4: invalid email \"bob@@acme.example\": more than one '@'"]),
            .init(name: "short-row.csv", source: .text("Name,Dept,Email\nAnn,Sales,ann@acme.example\nBob,IT\n"),
                  exit: 0, granted: 1, messages: ["rejected line 3: no value in column Email (the row has only 2 fields)"]),
            .init(name: "header-longer-than-64k.csv", source: .made { dir, name in
                try dir.write(name, "Email," + String(repeating: "x", count: 70_000) + "\nann@acme.example,1\n")
            }, exit: 2, messages: ["line 1: the header line is longer than 65536 bytes"]),
            .init(name: "bad-syntax-mix.txt",
                  source: .text("ann@acme.example\ntwo@@acme.example\nno-at-sign\nspace in@acme.example\n" + String(repeating: "a", count: 65)
                    + "@acme.example\nok@acme\nbob@acme.example\n"),
                  exit: 0, granted: 2, messages: [
                      "rejected line 2:", "rejected line 3: no '@'", "rejected line 4:", "rejected line 5: invalid email",
                      "local part is longer than 64 bytes", "rejected line 6:",
                  ]),
            .init(name: "all-outside-domain.txt", source: .text("ann@other.example\nbob@other.example\n"), exit: 2,
                  messages: ["outside --domain acme.example"], extra: ["--domain", "acme.example"]),
            .init(name: "stdin-list", source: .stdin("ann@acme.example\nbob@acme.example\n"), exit: 0, granted: 2),
            .init(name: "stdin-empty", source: .stdin(""), exit: 2, messages: ["standard input: the file is empty"]),
        ]

        @Test("bad input file", arguments: corpus)
        func file(_ file: CorpusFile) async throws {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            var stdin: String?
            let path: String
            switch file.source {
            case .text(let text): path = try dir.write(file.name, text)
            case .bytes(let bytes): path = try dir.write(file.name, Data(bytes))
            case .made(let make): path = try make(dir, file.name)
            case .stdin(let text):
                path = "-"
                stdin = text
            }
            let arguments =
                [
                    "run", path, "--provider", "google", "--scope", calendarScope, "--sandbox", "--ledger",
                    dir.file("ledger.sqlite"), "--json", "--no-progress",
                ] + file.extra

            let result: ProcessResult
            var exact = true
            if file.unprivileged && runningAsRoot {
                if let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first(where: FileManager.default.isExecutableFile) {
                    // Root reads a chmod 000 file anyway: run as `nobody`, who must be refused.
                    chmod(dir.path, 0o777)
                    result = try await runProcess(
                        setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", binaryPath()] + arguments, in: dir.path,
                        stdin: stdin.map { .text($0) } ?? .none, lowPriority: true)
                } else {
                    // No way to drop root here: the file is readable, so only "no crash" can be asserted.
                    result = try await runBinary(arguments, in: dir.path, stdin: stdin)
                    exact = false
                }
            } else {
                result = try await runBinary(arguments, in: dir.path, stdin: stdin)
            }

            #expect(!result.crashed, "\(result.transcript)")
            #expect([0, 1, 2].contains(result.status), "\(result.transcript)")
            if ProcessInfo.processInfo.environment["RELIABILITY_VERBOSE"] != nil {
                let said = result.stderr.split(separator: "\n").map { $0.replacingOccurrences(of: dir.path + "/", with: "") }
                print("FILE | \(file.name) | exit \(result.status) | granted \(jsonSummary(result).int("granted").map(String.init) ?? "-") | \(said.joined(separator: " / "))")
            }
            guard exact else { return }
            #expect(result.status == file.exit, "\(result.transcript)")
            for message in file.messages {
                #expect(result.stderr.contains(message), "missing \(message.debugDescription)\n\(result.transcript)")
            }
            let summary = jsonSummary(result)
            if let granted = file.granted {
                #expect(summary.int("granted") == granted, "\(result.transcript)")
                let rows = Set(file.messages.filter { $0.hasPrefix("rejected line") }.map { $0.prefix { $0 != ":" } }).count
                #expect(summary.int("rejected_rows") == rows, "\(result.transcript)")
            }
            if let duplicates = file.duplicates { #expect(summary.int("duplicates") == duplicates) }
            if file.exit == 2 {
                // Exit 2 means nothing valid was left: nothing may have been granted.
                #expect((summary.int("granted") ?? 0) == 0)
                #expect(!result.stderr.isEmpty, "exit 2 must say why")
            } else {
                #expect((file.granted ?? 0) > 0, "a run that grants nobody must not exit 0")
            }
            // Every rejected row is named by its line.
            let rejected = summary.int("rejected_rows") ?? 0
            let named = result.stderr.components(separatedBy: "bulkgrant: rejected line ").count - 1
            #expect(named == min(rejected, 20), "\(result.transcript)")
        }
    }
}

private func utf16LE(_ text: String) -> [UInt8] {
    text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
}
