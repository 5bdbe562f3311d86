import NylasAPI

/// Failures grouped for people: a recognised cause once, with its count, one address and its
/// fix; an unrecognised answer by its raw text, as received. Never one line per user.
public struct FailureTally: Sendable {
    public private(set) var groups: [String: RunReport.FailureReason] = [:]

    public init() {}

    /// Counts one user's failure.
    public mutating func add(_ error: NylasError, _ diagnosis: Diagnosis?, email: String) {
        let raw = [error.status.map { "HTTP \($0)" }, error.type, Optional(error.message)].compactMap { $0 }
            .joined(separator: " ")
        let known = diagnosis.flatMap { $0.recognised ? $0 : nil }
        let key = known?.cause ?? raw
        var group =
            groups[key]
            ?? RunReport.FailureReason(
                reason: known?.meaning ?? raw, count: 0, example: email, cause: diagnosis?.cause ?? "unknown",
                fix: known?.fix, reach: diagnosis?.reach.rawValue)
        group.count += 1
        groups[key] = group
    }

    /// Adds another tally's groups.
    public mutating func merge(_ other: FailureTally) {
        for (key, group) in other.groups {
            if var existing = groups[key] {
                existing.count += group.count
                groups[key] = existing
            } else {
                groups[key] = group
            }
        }
    }

    /// Largest first.
    public var sorted: [RunReport.FailureReason] {
        groups.values.sorted { ($0.count, $1.reason) > ($1.count, $0.reason) }
    }
}
