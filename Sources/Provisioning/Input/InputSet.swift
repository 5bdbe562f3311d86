import Foundation

/// The whole input read into memory with duplicates folded and the row filters applied: the
/// unique addresses in first-seen order, the rejected rows, and what the filters dropped.
///
/// Every distinct valid address ends up in exactly one of ``emails``, ``outsideDomains`` and
/// ``filteredAddresses``, so counts add up as
/// `summary.valid + summary.filtered == emails.count + duplicates + outsideDomains + filteredAddresses + filteredWithoutAddress`
/// and `summary.rows == summary.valid + summary.rejected + summary.filtered`.
public struct InputSet: Sendable {
    /// Unique addresses, in first-seen order.
    public var emails: [EmailAddress]
    public var rejections: [RowRejection]
    /// Rows folded into an earlier row with the same normalised address, and rows of an address
    /// that a filter dropped on another of its rows.
    public var duplicates: Int
    /// Distinct addresses dropped because their domain is not in the `domains` filter.
    public var outsideDomains: Int
    /// What the row filters dropped, one entry per filter in the order given (a filter given
    /// twice once), counting each address once and each row without a valid address once.
    /// Zero counts are kept: a filter that dropped nothing may be a misspelt value.
    public var filtered: [RowFilter.Count] = []
    /// Distinct addresses inside `domains` that the filters dropped.
    public var filteredAddresses = 0
    /// Rows the filters dropped that held no valid address (a terminated employee's blanked
    /// address, say): counted in ``filtered`` rather than reported as rejected rows.
    public var filteredWithoutAddress = 0
    public var summary: InputSummary
    /// Each kept address's index in ``emails`` (and -1 for one outside the domains), so that the
    /// planner can match a million ledger rows without building a second set. An address the
    /// filters dropped is absent: to the planner it left the export, so if it was granted it is
    /// departed, and `--revoke-departed` revokes it.
    public private(set) var positions: [String: Int] = [:]

    public init(emails: [EmailAddress] = [], rejections: [RowRejection] = [], duplicates: Int = 0,
                outsideDomains: Int = 0, summary: InputSummary) {
        self.emails = emails
        self.rejections = rejections
        self.duplicates = duplicates
        self.outsideDomains = outsideDomains
        self.summary = summary
    }

    /// Everything the filters dropped.
    public var filteredTotal: Int { filteredAddresses + filteredWithoutAddress }

    /// The users the export holds inside `domains`, those the filters dropped included: the
    /// export's size as the shrink safeguard compares it night to night.
    ///
    /// Filtered users count because that check is there to catch a truncated or half-written
    /// file, and filtered rows are in the file: a filter added tonight, or three people turned
    /// Terminated, is not a shorter export, and must not be refused as one ("is it truncated?").
    /// The users a filter drops are departed, so `--max-revoke`, which counts revocations, still
    /// guards against a filter (or a Status column gone wrong) that drops too many.
    public var exportUsers: Int { emails.count + filteredAddresses }

    /// Reads `path` (or `-` for standard input) with ``InputReader``, applies the row filters of
    /// `configuration` and folds duplicates.
    ///
    /// An address is kept only if every row that holds it passes the filters: one dropped row
    /// (an old `Terminated` record beside an `Active` one) keeps the address out, because a
    /// terminated person must not keep access. `--domain` is applied to addresses before that:
    /// an address outside the domains counts there, not as filtered.
    ///
    /// - Parameter domains: when non-empty, only addresses whose domain equals one of these
    ///   (case-insensitive, exact match: subdomains are not included; a leading `@` or
    ///   trailing `.` is ignored) are kept; the others are counted in ``outsideDomains``.
    /// - Throws: ``InputError`` for problems with the file as a whole, including a filter on a
    ///   column the header lacks, or filters on a plain list of addresses.
    public static func load(path: String, configuration: InputReaderConfiguration = .init(),
                            domains: Set<String> = []) throws -> InputSet {
        let allowed = Set(domains.map(normaliseDomain).filter { !$0.isEmpty })
        var positions: [String: Int] = [:]
        // Growing a million-entry table step by step rehashes it some twenty times.
        positions.reserveCapacity(estimatedRows(path))
        var dropped: Set<String> = []      // addresses a filter dropped
        var retracted: [Int] = []          // positions in `emails` of addresses dropped after being kept
        var tally: [RowFilter: Int] = [:]
        var result = InputSet(summary: InputSummary(format: configuration.format))
        func isOutside(_ address: EmailAddress) -> Bool {
            !allowed.isEmpty && !allowed.contains(String(address.domain))
        }
        func drop(_ address: EmailAddress, by filter: RowFilter) {
            dropped.insert(address.value)
            result.filteredAddresses += 1
            tally[filter, default: 0] += 1
        }
        result.summary = try InputReader(path: path, configuration: configuration).read { event in
            switch event {
            case .email(let address, _):
                guard positions[address.value] == nil, dropped.isEmpty || !dropped.contains(address.value) else {
                    result.duplicates += 1
                    return
                }
                if isOutside(address) {
                    positions[address.value] = -1
                    result.outsideDomains += 1
                } else {
                    positions[address.value] = result.emails.count
                    result.emails.append(address)
                }
            case .filtered(let address?, _, let filter):
                if dropped.contains(address.value) {
                    result.duplicates += 1
                } else if let position = positions[address.value] {
                    // Seen before: this row is the duplicate, whatever happens to the address.
                    result.duplicates += 1
                    guard position >= 0 else { return }   // outside --domain: not this run's either way
                    positions[address.value] = nil
                    retracted.append(position)
                    drop(address, by: filter)
                } else if isOutside(address) {
                    positions[address.value] = -1
                    result.outsideDomains += 1
                } else {
                    drop(address, by: filter)
                }
            case .filtered(nil, _, let filter):
                result.filteredWithoutAddress += 1
                tally[filter, default: 0] += 1
            case .rejected(let line, let reason):
                result.rejections.append(RowRejection(line: line, reason: reason))
            }
        }
        if !retracted.isEmpty {
            let gone = Set(retracted)
            result.emails = result.emails.enumerated().filter { !gone.contains($0.offset) }.map(\.element)
            for (index, address) in result.emails.enumerated() { positions[address.value] = index }
        }
        var seen: Set<RowFilter> = []
        result.filtered = configuration.filters.filter { seen.insert($0).inserted }
            .map { RowFilter.Count(reason: $0.reason, count: tally[$0] ?? 0) }
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
