import Foundation

/// `--max-revoke`: how many grants one run may revoke, as a count (`25`) or a share of the
/// users granted before the run (`5%`).
public enum RevocationLimit: Sendable, Hashable, CustomStringConvertible {
    case count(Int)
    case percent(Double)

    /// The default: 10 % of granted users.
    public static let `default` = RevocationLimit.percent(10)

    /// Parses `25` or `5%` (`2.5%` too). Nil for anything else, negatives, or more than 100 %.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let value = Double(trimmed.dropLast().trimmingCharacters(in: .whitespaces)), value.isFinite,
                (0...100).contains(value)
            else { return nil }
            self = .percent(value)
        } else {
            guard let value = Int(trimmed), value >= 0 else { return nil }
            self = .count(value)
        }
    }

    /// Revocations allowed when `grantedUsers` are granted.
    public func allowed(grantedUsers: Int) -> Double {
        switch self {
        case .count(let count): return Double(count)
        case .percent(let share): return share / 100 * Double(grantedUsers)
        }
    }

    public var description: String {
        switch self {
        case .count(let count): return String(count)
        case .percent(let share):
            return share == share.rounded() ? "\(Int(share))%" : "\(share)%"
        }
    }
}

/// The check that stops a truncated HR export from mass-revoking grants: too many revocations
/// (`--max-revoke`), or an export much smaller than the last run's. `--force` overrides.
public struct Safeguard: Sendable, Hashable, Codable {
    /// An export with fewer than this share of the previous run's users is suspect.
    public static let shrinkThreshold = 0.8
    /// The keys of a run's recorded counts that hold ``grantedUsers`` and
    /// ``previousExportUsers``, so that a refusal can be told again from the ledger.
    public static let grantedUsersCount = "safeguard_granted_users"
    public static let previousExportCount = "previous_export_users"

    /// Grants that would be revoked.
    public var revocations: Int
    /// Users granted (or being revoked) before the run: the base of a percentage limit.
    public var grantedUsers: Int
    /// `--max-revoke` as given.
    public var limit: String
    /// Revocations allowed by the limit.
    public var allowed: Double
    public var exportUsers: Int
    public var previousExportUsers: Int?
    public var overLimit: Bool
    public var shrunk: Bool
    public var forced: Bool
    /// The run must not revoke.
    public var refuses: Bool

    enum CodingKeys: String, CodingKey {
        case revocations, limit, allowed, shrunk, forced
        case grantedUsers = "granted_users"
        case exportUsers = "export_users"
        case previousExportUsers = "previous_export_users"
        case overLimit = "over_limit"
        case refuses = "refused"
    }

    public init(
        revocations: Int, grantedUsers: Int, exportUsers: Int, previousExportUsers: Int?, limit: RevocationLimit,
        force: Bool
    ) {
        self.revocations = revocations
        self.grantedUsers = grantedUsers
        self.limit = limit.description
        self.allowed = limit.allowed(grantedUsers: grantedUsers)
        self.exportUsers = exportUsers
        self.previousExportUsers = previousExportUsers
        self.forced = force
        // Nothing to revoke, nothing to protect.
        self.overLimit = revocations > 0 && Double(revocations) > allowed
        self.shrunk = revocations > 0 && Self.isShrunk(export: exportUsers, previous: previousExportUsers)
        self.refuses = (overLimit || shrunk) && !force
    }

    /// Whether an export of `export` users is sharply smaller than the previous one.
    public static func isShrunk(export: Int, previous: Int?) -> Bool {
        guard let previous, previous > 0 else { return false }
        return Double(export) < shrinkThreshold * Double(previous)
    }

    /// Why it refuses, how many, and how to override; nil when it does not.
    public var refusal: String? {
        guard refuses else { return nil }
        var reasons: [String] = []
        if overLimit {
            reasons.append(
                "that is more than --max-revoke \(limit) allows (\(Int(allowed.rounded(.down))) of \(grantedUsers) granted users)")
        }
        if shrunk, let previous = previousExportUsers {
            let share = Int((Double(exportUsers) / Double(previous) * 100).rounded())
            reasons.append(
                "the export has \(exportUsers) users, \(share)% of the previous run's \(previous) (under \(Int(Self.shrinkThreshold * 100))%: is it truncated?)")
        }
        return "safeguard: refusing to revoke the grants of \(revocations) departed users: "
            + reasons.joined(separator: "; and ")
            + ". Nothing was revoked or granted. If these people really left, rerun with --force"
            + (overLimit ? " (or a higher --max-revoke)" : "")
            + "; to grant without revoking, rerun without --revoke-departed."
    }
}
