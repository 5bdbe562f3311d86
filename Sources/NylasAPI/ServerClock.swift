import Foundation

/// The API server's idea of the time, from the `Date` header every HTTP answer carries, so that
/// `bulkgrant doctor` can tell a skewed system clock (which breaks JWT assertions and tokens).
/// The request itself is `NylasClient.serverDate()`, so that it goes through the same proxy and
/// trust as every call.
public enum ServerClock {
    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110 has servers send.
    public static func parse(_ value: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: value.trimmingCharacters(in: .whitespaces))
    }
}
