/// Every failure bulkgrant knows by its cause: one ordered table of rules, the providers' stable
/// codes first (wherever they appear in Nylas's envelope: the type, the message, or
/// `provider_error` as an object or a string), Nylas's own refusals next, and the generic status
/// rules last. Pure: the engine, `doctor`, `credentials` and `grants` all diagnose through it.
public enum FailureCatalogue {
    /// What `error`, answered to a call of `kind`, means and what to do.
    public static func diagnose(_ error: NylasError, call kind: CallKind, context: DiagnosisContext = .init())
        -> Diagnosis
    {
        let evidence = Evidence(error)
        for rule in rules where rule.applies(to: evidence, provider: context.provider) {
            var diagnosis = rule.diagnosis(context)
            // A refusal of the user means nothing for a lookup or a listing: nothing was asked of
            // the provider for that user, so it is worth another try.
            if !kind.mutates, kind != .admin, diagnosis.reach == .user {
                diagnosis.reach = .call
                diagnosis.retry = .backoff
            }
            return diagnosis
        }
        return fallback(error, kind: kind)
    }

    /// Every cause id the table can produce, with its reach: what tests and the docs enumerate.
    public static var catalogue: [(cause: String, reach: Diagnosis.Reach, provider: Provider?)] {
        rules.map { ($0.cause, $0.reach, $0.provider) }
    }

    /// The row of a cause id, filled with `context`: for reports that group by the recorded id.
    public static func entry(_ cause: String, context: DiagnosisContext = .init()) -> Diagnosis? {
        rules.first { $0.cause == cause }.map { $0.diagnosis(context) }
    }

    // MARK: The generic status rules

    static func fallback(_ error: NylasError, kind: CallKind) -> Diagnosis {
        let raw = error.description
        if error.isRateLimited {
            return Diagnosis(
                cause: "http.429", reach: .call, retry: .afterRetryAfter, meaning: "rate-limited (429)", fix: "",
                recognised: false)
        }
        guard let status = error.status else {
            let unknown = kind.mutates && error.outcomeUnknown
            return Diagnosis(
                cause: unknown ? "transport.maybe_applied" : "transport.not_sent", reach: .call,
                retry: unknown ? .lookUpFirst : .backoff, meaning: raw, fix: "", recognised: false)
        }
        if status >= 500 || (200..<300).contains(status) || status == 408 {
            // A 5xx from a proxy may come after Nylas applied the call; so may an unreadable 2xx.
            return Diagnosis(
                cause: "http.\(status)", reach: .call, retry: kind.mutates ? .lookUpFirst : .backoff, meaning: raw,
                fix: "", recognised: false)
        }
        if kind == .create && status == 404 {
            // Custom authentication has no path parameter: a 404 names the credential or connector.
            return Diagnosis(
                cause: "http.404", reach: .application, retry: .never, meaning: raw,
                fix: "check --credential-id with `bulkgrant credentials list --provider PROVIDER`", recognised: false,
                stopsAtOnce: true)
        }
        if !kind.mutates && kind != .admin {
            return Diagnosis(
                cause: "http.\(status)", reach: .call, retry: .backoff, meaning: raw, fix: "", recognised: false)
        }
        return Diagnosis(
            cause: "http.\(status)", reach: .user, retry: .never, meaning: raw, fix: "", recognised: false)
    }
}

/// The text of an error that rules look in, lower-cased once.
struct Evidence {
    let status: Int?
    let type: String
    /// Type, message and provider error together.
    let text: String

    init(_ error: NylasError) {
        status = error.status
        type = (error.type ?? "").lowercased()
        text = [error.type ?? "", error.message, error.providerError?.compactDescription ?? ""]
            .joined(separator: " | ").lowercased()
    }

    func has(_ needle: String) -> Bool { text.contains(needle) }
    func hasAny(_ needles: [String]) -> Bool { needles.contains { text.contains($0) } }
}
