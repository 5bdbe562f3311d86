/// One fault for one call, queued with `SandboxState.script(_:for:)` and consumed in order by
/// the next calls to that path, whatever the fault plan's odds say.
///
/// A `FaultPlan` draws faults at random, which is right for a soak but not for a test that must
/// show what happens to *this* call: a scripted fault fires exactly once, on the call it was
/// queued for. Like the plan, a fault either answers *instead of* doing the work, or does the
/// work and then spoils the answer: the difference a client cannot see, and must survive.
public enum ScriptedFault: Sendable, Hashable {
    /// An error status with Nylas's error envelope, instead of the work (429, 5xx, 401, …),
    /// with a `Retry-After` header when one is given.
    case status(Int, retryAfter: FaultPlan.RetryAfterStyle? = nil)
    /// A raw answer instead of the work: a proxy's page, or a server that echoes what it was sent.
    case raw(status: Int, contentType: String, body: String)
    /// The connection closes before the request is applied.
    case resetBeforeApply
    /// The request is applied, then the connection closes before the answer.
    case resetAfterApply
    /// The request is applied, then its answer is held for `seconds`.
    case hang(seconds: Double)
    /// The request waits `seconds` before it is applied and answered, as in a slow server or a
    /// queue in front of it: a client that gave up meanwhile cannot find its effect yet.
    case slowApply(seconds: Double)
    /// The request is applied, then answered with its status and only the first half of its JSON.
    case truncatedBody
    /// The request is applied, then answered `200 OK` with an empty body.
    case emptySuccess
    /// The request is applied, then its answer is sent one byte every `interval` seconds.
    case trickle(interval: Double)
    /// No fault: this call is served as usual. Queue it first to place a fault on a later call.
    case pass

    /// A proxy's `502 Bad Gateway` HTML page, instead of the work.
    public static var htmlBadGateway: ScriptedFault {
        .raw(
            status: 502, contentType: "text/html",
            body: "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>")
    }

    /// Whether the sandbox does the work at once, before the fault spoils the answer
    /// (`slowApply` does it later, itself).
    var applies: Bool {
        switch self {
        case .status, .raw, .resetBeforeApply, .slowApply, .pass: return false
        case .resetAfterApply, .hang, .truncatedBody, .emptySuccess, .trickle: return true
        }
    }

    /// The name counted in `SandboxStats.faultsInjected`, prefixed `scripted-`.
    var name: String {
        switch self {
        case .status(let code, _): return "scripted-\(code)"
        case .raw(let status, _, _): return "scripted-raw-\(status)"
        case .resetBeforeApply: return "scripted-reset-before-apply"
        case .resetAfterApply: return "scripted-reset-after-apply"
        case .hang: return "scripted-hang"
        case .slowApply: return "scripted-slow-apply"
        case .truncatedBody: return "scripted-truncated-body"
        case .emptySuccess: return "scripted-empty-200"
        case .trickle: return "scripted-trickle"
        case .pass: return "scripted-pass"
        }
    }
}
