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
    /// The row filters, `exclude` ones first so that a row failing several is counted under
    /// the exclusion, which wins.
    let filters: [RowFilter]
    private var skipRecords: Int
    private(set) var summary: InputSummary
    private var haveHeader: Bool
    private var emailIndex = 0
    private var columnLabel = ""
    /// The column index of each of `filters`, found in the header.
    private var filterColumns: [Int] = []

    init(path: String, format: InputFormat, emailColumn: String?, filters: [RowFilter] = [], skipRecords: Int) {
        self.path = path
        self.format = format
        self.emailColumn = emailColumn
        self.filters = filters.filter { $0.kind == .exclude } + filters.filter { $0.kind == .where }
        self.skipRecords = skipRecords
        summary = InputSummary(format: format)
        haveHeader = format != .csv
    }

    static func notUTF8(_ column: String?) -> EmailRejection {
        EmailRejection(
            reason: (column.map { "column \($0) is " } ?? "") + "not valid UTF-8"
                + " (a file saved as Windows-1252? convert it: iconv -f WINDOWS-1252 -t UTF-8)")
    }

    /// The event for `record`, or nil for the header, blank lines and comments.
    mutating func interpret(_ record: CSVRecord) throws -> InputEvent? {
        var undecodable = false
        defer {
            if undecodable {
                summary.undecodableRows += 1
                if summary.firstUndecodableLine == nil { summary.firstUndecodableLine = record.line }
            }
        }
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
                // Only the columns bulkgrant reads must be UTF-8: the address, and the filter
                // columns (an exclusion must never miss a value it cannot decode).
                guard format != .lines else { return .some(.failure(Self.notUTF8(nil))) }
                for (index, label) in [(emailIndex, columnLabel)] + zip(filterColumns, filters.map(\.column))
                where index < record.fieldCount {
                    let range = record.fieldRange(index)
                    let splitsCharacter = range.upperBound < p.count && p[range.upperBound] & 0xC0 == 0x80
                    if !UTF8Scan.check(p, range.lowerBound, range.upperBound).valid || splitsCharacter {
                        return .some(.failure(Self.notUTF8(label)))
                    }
                }
                undecodable = true
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
                if summary.isBulkgrantReport, hi - lo > 1, p[lo] == UInt8(ascii: "'"),
                    UserReport.formulaStarts.contains(p[lo + 1])
                {
                    // Undo the report's formula neutralisation: the address is what follows.
                    lo += 1
                }
            }
            return .some(EmailAddress.parse(utf8: UnsafeBufferPointer(rebasing: p[lo..<hi])))
        }
        guard let outcome else { return nil }
        if let filter = failedFilter(record) {
            // Filtered first: a terminated employee's blanked address is no rejected row.
            let address: EmailAddress? = if case .success(let address) = outcome { address } else { nil }
            return count(.filtered(address, line: record.line, by: filter))
        }
        switch outcome {
        case .success(let address): return count(.email(address, line: record.line))
        case .failure(let rejection): return count(.rejected(line: record.line, reason: rejection.reason))
        }
    }

    private mutating func count(_ event: InputEvent) -> InputEvent {
        summary.rows += 1
        switch event {
        case .email: summary.valid += 1
        case .rejected: summary.rejected += 1
        case .filtered: summary.filtered += 1
        }
        return event
    }

    /// The first filter `record` fails, or nil when it passes them all. A missing cell is blank.
    private func failedFilter(_ record: CSVRecord) -> RowFilter? {
        guard !filters.isEmpty else { return nil }
        return record.bytes.withUnsafeBufferPointer { p in
            for (filter, column) in zip(filters, filterColumns) {
                let key = column < record.fieldCount
                    ? RowFilter.key(utf8: UnsafeBufferPointer(rebasing: p[record.fieldRange(column)])) : ""
                if filter.matches(key: key) == (filter.kind == .exclude) { return filter }
            }
            return nil
        }
    }

    private func describe(_ issue: CSVRecord.Issue, _ record: CSVRecord) -> String {
        let lines = "lines \(record.line)–\(record.lastLine)"
        switch issue {
        case .tooLong(let limit, let quoteLine):
            if record.line == record.lastLine || format == .lines { return "line longer than \(limit) bytes" }
            if let quoteLine {
                return "record longer than \(limit) bytes: the quote opened on line \(quoteLine) is probably never closed (\(lines) skipped)"
            }
            return "record longer than \(limit) bytes (\(lines) skipped)"
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
        filterColumns = try filters.map { try resolveFilterColumn($0, names, line: record.line) }
        haveHeader = true
        summary.emailColumn = names[emailIndex]
        summary.isBulkgrantReport = names.prefix(UserReport.identifyingColumns.count).map { $0.lowercased() }
            == UserReport.identifyingColumns
        summary.otherAddressColumns = names.indices.filter { $0 != emailIndex && Self.looksLikeAddress(names[$0]) }
            .map { names[$0] }
        columnLabel = names[emailIndex].isEmpty ? "\(emailIndex + 1)" : names[emailIndex]
    }

    /// A column name that suggests addresses, though it is not one bulkgrant picks by itself.
    static func looksLikeAddress(_ name: String) -> Bool {
        let key = normalise(name)
        return emailColumnNames.contains(key) || key.contains("email") || key.contains("e mail") || key.hasSuffix(" mail")
            || key.contains("userprincipalname") || key.hasSuffix(" upn")
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

    /// The index of the column `filter` names: the same name ignoring case, or failing that the
    /// same after ``normalise(_:)`` (so `employee_status` finds `Employee Status`).
    private func resolveFilterColumn(_ filter: RowFilter, _ names: [String], line: Int) throws -> Int {
        let key = RowFilter.key(filter.column)
        var matches = names.indices.filter { RowFilter.key(names[$0]) == key }
        if matches.isEmpty { matches = names.indices.filter { Self.normalise(names[$0]) == Self.normalise(filter.column) } }
        if matches.count == 1 { return matches[0] }
        let text: String
        if matches.isEmpty {
            text = "\(filter.argument) names the column \(filter.column.debugDescription), which the header does not have "
                + "(columns: \(InputError.columnList(names))); use one of these names"
        } else {
            let positions = matches.map { String($0 + 1) }.joined(separator: ", ")
            text = "\(filter.argument) names the column \(filter.column.debugDescription), which the header has \(matches.count) times "
                + "(at positions \(positions)); rename all but one of them in the file"
        }
        throw InputError.make(.unknownFilterColumn, path, line: line, showLine: false, text)
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
