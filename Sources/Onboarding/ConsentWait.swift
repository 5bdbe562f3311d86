import Foundation

/// A Microsoft run that must not start yet: admin consent for its credential was recorded less
/// than five minutes ago, and Microsoft caches scopes, so grants created now could miss them.
public struct ConsentWait: Sendable, Hashable {
    /// How long Microsoft needs to apply an admin consent, in seconds (Nylas: "at least 5 minutes").
    public static let applyDelay: Double = 300

    public let credentialID: String
    /// When the consent was recorded (seconds since 1970).
    public let consentedAt: Double
    /// When the ledger was checked (seconds since 1970).
    public let checkedAt: Double

    public init(credentialID: String, consentedAt: Double, checkedAt: Double) {
        self.credentialID = credentialID
        self.consentedAt = consentedAt
        self.checkedAt = checkedAt
    }

    /// Seconds since the consent (0 if the clock is behind the recorded time).
    public var elapsed: Double { max(0, checkedAt - consentedAt) }

    /// Seconds still to wait: never more than `applyDelay`, even if the clock was set back
    /// after the consent was recorded.
    public var remaining: Double { min(Self.applyDelay, max(0, consentedAt + Self.applyDelay - checkedAt)) }

    /// The moment the run may go on.
    public var readyAt: Double { checkedAt + remaining }

    /// The `--no-wait` refusal.
    public var refusal: String {
        "admin consent for credential \(credentialID) was recorded \(Self.duration(elapsed, roundingUp: false)) ago; Microsoft needs 5 minutes to apply it: wait \(Self.duration(remaining)) or rerun without --no-wait"
    }

    /// The line a run logs when it starts waiting.
    public var notice: String {
        "admin consent for credential \(credentialID) was recorded \(Self.duration(elapsed, roundingUp: false)) ago; Microsoft needs 5 minutes to apply it: waiting \(Self.duration(remaining)), until \(Self.timestamp(readyAt, roundingUp: true))"
    }

    /// `45s`, `3m40s`, `1h02m`. Time left is rounded up, so a wait never reads `0s` while on.
    public static func duration(_ seconds: Double, roundingUp: Bool = true) -> String {
        let total = max(0, Int(roundingUp ? seconds.rounded(.up) : seconds.rounded(.down)))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total / 3600)h\(String(format: "%02d", (total % 3600) / 60))m"
    }

    /// An ISO 8601 UTC time, to the second: rounded up for a time to wait until, so that
    /// waiting until the printed time is always enough.
    public static func timestamp(_ seconds: Double, roundingUp: Bool = false) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: roundingUp ? seconds.rounded(.up) : seconds.rounded(.down)))
    }
}
