import Foundation

/// Whether the system clock can be trusted with JWT assertions and token lifetimes: Google
/// refuses an assertion whose `iat` is more than a few minutes off, and tokens then look
/// expired or not yet valid.
public struct ClockCheck: Sendable {
    /// The largest difference from the API server's clock that passes, in seconds.
    public var maximumSkew: Double = 300
    /// The years a correct clock can show (a dead RTC battery resets to 1970 or 2000).
    public var plausibleYears: ClosedRange<Int> = 2024...2099

    public init() {}

    /// The check for `now` against the server's `Date`, when there was one.
    /// - Parameter serverNote: why there is no server date, for the detail.
    public func check(now: Date, serverDate: Date?, serverNote: String? = nil) -> DoctorCheck {
        let title = "system clock"
        let fix = "set the time and keep it set: enable NTP (timedatectl set-ntp true, or chrony/ntpd)"
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let year = calendar.component(.year, from: now)
        let shown = ISO8601DateFormatter().string(from: now)
        guard plausibleYears.contains(year) else {
            return .fail(
                "clock", title, "it says \(shown), which cannot be right; JWT assertions and tokens fail on a wrong clock",
                fix: fix)
        }
        guard let serverDate else {
            return .pass("clock", title, "\(shown) (\(serverNote ?? "the API server sent no Date to compare with"))")
        }
        let skew = now.timeIntervalSince(serverDate)
        // The Date header has one-second resolution.
        guard abs(skew) <= maximumSkew + 1 else {
            return .fail(
                "clock", title,
                "it is \(Self.duration(abs(skew))) \(skew > 0 ? "ahead of" : "behind") the API server's clock (more than \(Self.duration(maximumSkew))); JWT assertions and tokens fail on a skewed clock",
                fix: fix)
        }
        return .pass("clock", title, "within \(Self.duration(max(1, abs(skew).rounded()))) of the API server's clock")
    }

    /// `7 min 12 s`, `3 s`, `2 h 5 min`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(total / 60) min" + (total % 60 > 0 ? " \(total % 60) s" : "") }
        if total < 86400 * 2 { return "\(total / 3600) h" + ((total % 3600) / 60 > 0 ? " \((total % 3600) / 60) min" : "") }
        return "\(total / 86400) days"
    }
}
