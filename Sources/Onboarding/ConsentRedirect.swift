import Foundation

/// What the browser brought back to the listener's redirect path, read from the raw query.
///
/// Nylas passes on Microsoft's answer: `admin_consent=true` and `state` on approval, or the
/// OAuth 2.0 `error`, `error_description` (and `error_uri`) with `state` on failure.
public enum ConsentRedirect: Sendable, Equatable {
    /// Approved. `tenant` when the redirect names it.
    case consented(tenant: String?)
    /// The admin declined, or Microsoft or Nylas refused.
    case refused(error: String, description: String?)
    /// No `state`, several, or not the one this listener was started with: never trusted.
    case stateMismatch
    /// The right state, but neither `admin_consent=true` nor an `error`.
    case incomplete

    /// Classifies a raw query string (`a=b&c=d`, percent- and `+`-encoded) against `expectedState`.
    /// The state is checked first, so nothing a forged request carries is believed.
    public static func classify(query: String?, expectedState: String) -> ConsentRedirect {
        let fields = parse(query ?? "")
        guard let states = fields["state"], states.count == 1, ConsentState.matches(states[0], expectedState) else {
            return .stateMismatch
        }
        if let errors = fields["error"], let error = errors.first, !error.isEmpty {
            let description = fields["error_description"]?.first.flatMap { $0.isEmpty ? nil : $0 }
            return .refused(error: error, description: description)
        }
        // Microsoft writes `True`; accept any case, but only one value.
        if let consent = fields["admin_consent"], consent.count == 1, consent[0].lowercased() == "true" {
            let tenant = fields["tenant"]?.first.flatMap { $0.isEmpty ? nil : $0 }
            return .consented(tenant: tenant)
        }
        return .incomplete
    }

    /// Every value of every key, decoded as a form would be (`+` is a space).
    static func parse(_ query: String) -> [String: [String]] {
        var fields: [String: [String]] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            fields[key, default: []].append(value)
        }
        return fields
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
