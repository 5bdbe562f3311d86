import NylasAPI

/// How the engine provisions: whom, how fast, how persistently (ARCHITECTURE.md, the engine).
public struct EngineConfiguration: Sendable {
    public var provider: Provider
    public var credentialID: String
    /// Google scopes; ignored for Microsoft.
    public var scopes: [String] = []
    /// Requests in flight at most.
    public var concurrency: Int = 64
    /// Requests per second at most (Nylas allows 50 per application).
    public var rate: Double = 45
    /// Requests that may leave together after an idle moment.
    public var burst: Int = 5
    /// Tries per user per run for transient errors.
    public var maxAttempts: Int = 5
    /// Retries allowed in the whole run; nil: a quarter of the users, at least 50.
    public var retryBudget: Int?
    public var transientBackoff = BackoffPolicy(base: 0.5, cap: 30)
    public var throttleBackoff = BackoffPolicy(base: 1, cap: 60)
    /// Seconds to wait after a call whose outcome is unknown before looking the user up: a
    /// server that was too slow to answer may still be applying the call, and a look-up that
    /// comes too early would miss the grant and send the user again.
    public var unknownOutcomeSettle: Double = 2
    /// A `Retry-After` longer than this defers users instead of sleeping through the night.
    public var maxRetryAfter: Double = 120
    /// 429s one user may meet in a run before it is deferred.
    public var maxThrottles: Int = 50
    /// Identical unrecognised refusals in a row that stop the run: the net for what the failure
    /// catalogue does not know.
    public var breakerThreshold: Int = 25
    /// Identical answers with a credential-wide cause (delegation, consent, key, secret) that
    /// stop the run; the users stay pending.
    public var stopAfter: Int = 3
    /// What bulkgrant recorded of the credential when it created it, for the fixes it prints.
    public var serviceAccountClientID: String?
    public var serviceAccountEmail: String?
    public var azureClientID: String?
    /// Seconds that calls in flight may take to finish after a stop, before they are abandoned.
    public var stopGrace: Double = 10

    /// The run's values, as the failure catalogue fills them into fixes.
    public var diagnosisContext: DiagnosisContext {
        DiagnosisContext(
            provider: provider, credentialID: credentialID, scopes: scopes, serviceAccountClientID: serviceAccountClientID,
            serviceAccountEmail: serviceAccountEmail, azureClientID: azureClientID)
    }

    /// The defaults, which `run`'s flags show and a job file's keys share.
    public static let defaults = EngineConfiguration(provider: .google, credentialID: "")

    public init(provider: Provider, credentialID: String) {
        self.provider = provider
        self.credentialID = credentialID
    }
}
