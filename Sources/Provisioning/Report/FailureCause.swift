import GrantLedger
import NylasAPI

/// Why users are failing, as the morning report lists it: how many, an example address, what
/// it means, what the API said, and the fix.
///
/// Which failures count as one cause is decided in one place, ``key(_:)``: the failure
/// catalogue's cause id when it recognised the answer (its meaning and fix come from the
/// catalogue too); otherwise the HTTP status and Nylas's error type as received, so that
/// messages naming the user still fall into one cause.
public struct FailureCause: Sendable, Hashable {
    /// `google.user_not_found`, or `http.422:api.invalid_request_error` for an answer the
    /// catalogue does not know.
    public var id: String
    /// What it means (the catalogue's words), or what the API answered (`HTTP 422 type`).
    public var title: String
    /// Users whose last error is this cause.
    public var count: Int
    /// One of them (the first by address).
    public var example: String
    /// The most common message of the cause.
    public var message: String
    /// What to do about it.
    public var fix: String
    /// Whether the failure catalogue recognised it.
    public var recognised: Bool

    /// Groups the ledger's last errors (``Ledger/failureReasons(provider:organisation:limit:)``
    /// rows) into causes, most users first.
    public static func group(_ reasons: [FailureReasonCount], limit: Int = .max) -> [FailureCause] {
        var causes: [String: FailureCause] = [:]
        var order: [String] = []
        // Rows come most common first, so each cause keeps its most common message.
        for reason in reasons {
            let id = key(reason)
            if var cause = causes[id] {
                cause.count += reason.count
                cause.example = min(cause.example, reason.example)
                causes[id] = cause
                continue
            }
            order.append(id)
            let entry = reason.cause.flatMap { FailureCatalogue.entry($0) }
            causes[id] = FailureCause(
                id: id,
                title: entry?.meaning
                    ?? [reason.status.map { "HTTP \($0)" } ?? "no HTTP answer", reason.type].compactMap { $0 }
                    .joined(separator: " "),
                count: reason.count, example: reason.example, message: reason.message,
                fix: entry.map { $0.fix } ?? unrecognisedFix(status: reason.status), recognised: entry != nil)
        }
        return order.compactMap { causes[$0] }
            .sorted { ($0.count, $1.id) > ($1.count, $0.id) }
            .prefix(limit).map { $0 }
    }

    /// The one decision of which failures are the same cause.
    public static func key(_ reason: FailureReasonCount) -> String {
        if let cause = reason.cause { return cause }
        return (reason.status.map { "http.\($0)" } ?? "transport") + ":" + (reason.type ?? "untyped")
    }

    /// What to do about an answer the catalogue does not know, from its status alone.
    static func unrecognisedFix(status: Int?) -> String {
        switch status {
        case nil:
            return "No answer arrived (connection cut or timed out): the next run looks these users up and retries them. If it happens every night, check the network path to the API (proxy, firewall)."
        case 408?, 429?:
            return "Throttled or timed out: the next run retries these users. If it happens every night, lower --rate or --concurrency."
        case let code? where code >= 500:
            return "Nylas or the provider failed: the next run retries these users. If the same users fail night after night, send a request id (bulkgrant report --state failed) to Nylas support."
        default:
            return "Not an answer bulkgrant's failure catalogue knows: read the message and the users' request ids (bulkgrant report --state failed); rerunning retries them."
        }
    }
}
