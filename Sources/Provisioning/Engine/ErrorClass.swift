import NylasAPI

/// How the engine treats a failed call.
public enum ErrorClass: Sendable, Equatable {
    /// No further call can succeed (bad key, unknown credential or connector): stop the run.
    case fatal
    /// Throttled: pause everyone, then retry.
    case throttled(retryAfter: Double?)
    /// The answer is final for this user this run.
    case permanent
    /// Worth retrying. `outcomeUnknown`: the call may have been applied, so look before retrying.
    case transient(outcomeUnknown: Bool)

    /// Classifies an error of custom authentication (`creating`) or of a grants lookup.
    public static func of(_ error: NylasError, creating: Bool) -> ErrorClass {
        if error.isAuthenticationFailure { return .fatal }
        if error.isRateLimited { return .throttled(retryAfter: error.retryAfter) }
        guard let status = error.status else {
            return .transient(outcomeUnknown: creating && error.outcomeUnknown)
        }
        if status >= 500 || (200..<300).contains(status) {
            // A 5xx from a proxy may come after Nylas applied the call; so may an unreadable 2xx.
            return .transient(outcomeUnknown: creating)
        }
        if status == 408 { return .transient(outcomeUnknown: creating) }
        let message = error.message.lowercased()
        if creating && status == 404 { return .fatal }
        if message.contains("credential") || message.contains("connector") {
            if message.contains("not found") || message.contains("does not exist") || message.contains("of type") {
                return .fatal
            }
        }
        return .permanent
    }
}
