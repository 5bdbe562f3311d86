import GrantLedger

/// Why users are failing, as the morning report lists it: how many, an example address, what
/// the API said, and the fix.
///
/// Which failures count as one cause is decided in one place, ``key(status:type:)``: today
/// the HTTP status and Nylas's error type, so that messages naming the user still fall into
/// one cause. A catalogue of known causes can replace that key (and ``fix(status:type:message:)``)
/// without touching the report.
public struct FailureCause: Sendable, Hashable {
    /// Stable identifier of the cause, e.g. `http-400-api.invalid_request_error`.
    public var id: String
    /// What the API answered, e.g. `HTTP 400 api.invalid_request_error`.
    public var title: String
    /// Users whose last error is this cause.
    public var count: Int
    /// One of them (the first by address).
    public var example: String
    /// The most common message of the cause.
    public var message: String
    /// What to do about it.
    public var fix: String

    /// Groups the ledger's last errors (``Ledger/failureReasons(provider:organisation:limit:)``
    /// rows) into causes, most users first.
    public static func group(_ reasons: [FailureReasonCount], limit: Int = .max) -> [FailureCause] {
        var causes: [String: FailureCause] = [:]
        var order: [String] = []
        // Rows come most common first, so each cause keeps its most common message.
        for reason in reasons {
            let id = key(status: reason.status, type: reason.type)
            if var cause = causes[id] {
                cause.count += reason.count
                cause.example = min(cause.example, reason.example)
                causes[id] = cause
            } else {
                order.append(id)
                causes[id] = FailureCause(
                    id: id,
                    title: [reason.status.map { "HTTP \($0)" } ?? "no HTTP answer", reason.type].compactMap { $0 }
                        .joined(separator: " "),
                    count: reason.count, example: reason.example, message: reason.message,
                    fix: fix(status: reason.status, type: reason.type, message: reason.message))
            }
        }
        return order.compactMap { causes[$0] }
            .sorted { ($0.count, $1.id) > ($1.count, $0.id) }
            .prefix(limit).map { $0 }
    }

    /// The one decision of which failures are the same cause.
    public static func key(status: Int?, type: String?) -> String {
        "http-\(status.map(String.init) ?? "none")-\(type ?? "untyped")"
    }

    /// The fix for a cause, from what Nylas answered.
    public static func fix(status: Int?, type: String?, message: String) -> String {
        let text = (message + " " + (type ?? "")).lowercased()
        guard let status else {
            return "No answer arrived (connection cut or timed out): the next run looks these users up and retries them. If it happens every night, check the network path to the API (proxy, firewall)."
        }
        switch status {
        case 401:
            return "The API key was refused: check NYLAS_API_KEY or --api-key-file, and --region."
        case 403:
            return "The provider refused access: for Google, allow the service account's client id for the run's scopes in Admin console › Security › API controls › Domain-wide delegation; for Microsoft, have a global administrator grant admin consent (bulkgrant consent url)."
        case 404 where text.contains("credential") || text.contains("connector"):
            return "The credential or connector is missing: check it with bulkgrant doctor and bulkgrant credentials list."
        case 408, 429:
            return "Throttled or timed out: the next run retries these users. If it happens every night, lower --rate or --concurrency."
        case 500...:
            return "Nylas or the provider failed: the next run retries these users. If the same users fail night after night, send the request id to Nylas support."
        case 400 where text.contains("authenticate the user") || text.contains("invalid_grant")
            || text.contains("does not exist"):
            return "The provider does not know these users (not in the Google Workspace domain or Microsoft tenant, suspended, or deleted): correct the address in the HR export, or leave them out with --exclude or --domain."
        case 400 where text.contains("scope"):
            return "The scopes were refused: check --scope against the connector's and the delegation's scopes (bulkgrant doctor)."
        default:
            return "Read the message and the user's request id (bulkgrant report --state failed); rerunning retries these users."
        }
    }
}
