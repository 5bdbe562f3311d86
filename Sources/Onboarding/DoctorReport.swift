/// Everything `bulkgrant doctor` found, in the order it checked.
public struct DoctorReport: Sendable, Codable, Hashable {
    public var checks: [DoctorCheck]

    public init(checks: [DoctorCheck]) { self.checks = checks }

    /// True when no check failed (skipped ones do not count: they follow a failure, or an
    /// option that was not given).
    public var passed: Bool { !checks.contains { $0.status == .fail } }

    public func count(_ status: DoctorCheck.Status) -> Int { checks.filter { $0.status == status }.count }

    /// The closing line: `all 9 checks passed`, or `2 of 9 checks failed, 3 skipped`.
    public var summary: String {
        let skipped = count(.skip)
        let skippedText = skipped > 0 ? ", \(skipped) skipped" : ""
        if passed { return "\(count(.pass)) of \(checks.count) checks passed\(skippedText)" }
        return "\(count(.fail)) of \(checks.count) checks failed\(skippedText)"
    }

    enum CodingKeys: String, CodingKey {
        case checks, passed
    }

    public init(from decoder: Decoder) throws {
        checks = try decoder.container(keyedBy: CodingKeys.self).decode([DoctorCheck].self, forKey: .checks)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(checks, forKey: .checks)
        try container.encode(passed, forKey: .passed)
    }
}
