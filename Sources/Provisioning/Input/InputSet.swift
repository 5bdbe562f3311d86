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
        var seen = Set<String>()
        var result = InputSet(summary: InputSummary(format: configuration.format))
        result.summary = try InputReader(path: path, configuration: configuration).read { event in
            switch event {
            case .email(let address, _):
                guard seen.insert(address.value).inserted else {
                    result.duplicates += 1
                    return
                }
                if !allowed.isEmpty, !allowed.contains(String(address.domain)) {
                    result.outsideDomains += 1
                    return
                }
                result.emails.append(address)
            case .rejected(let line, let reason):
                result.rejections.append(RowRejection(line: line, reason: reason))
            }
        }
        return result
    }

    static func normaliseDomain(_ domain: String) -> String {
        var text = Substring(domain.lowercased())
        while let first = text.first, first.isWhitespace || first == "@" { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace || last == "." { text = text.dropLast() }
        return String(text)
    }
}
