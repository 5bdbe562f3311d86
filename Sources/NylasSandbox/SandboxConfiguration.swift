import NylasAPI

/// Settings of a sandbox server, with defaults that behave like a healthy Nylas application.
public struct SandboxConfiguration: Sendable {
    /// The key clients must send as `Authorization: Bearer …`.
    public var apiKey: String = "sandbox-key"
    public var host: String = "127.0.0.1"
    /// 0 picks a free port.
    public var port: Int = 0
    /// Requests per second per API key and endpoint group, as Nylas allows (50).
    public var rateLimit: Double = 50
    /// `Retry-After` seconds sent with rate-limit 429s; nil sends none.
    public var rateLimitRetryAfter: Int? = 1
    public var faults = FaultPlan()
    /// Domains whose users custom authentication rejects, like a Workspace that does not hold them.
    public var rejectedDomains: Set<String> = []
    /// The provider's side behind every credential: delegation, consent, keys, the directory.
    public var tenant = SandboxTenant()
    /// How a provider's refusal is wrapped in Nylas's error envelope.
    public var envelope: RefusalEnvelope = .providerObject
    /// Share of new grants created `invalid`.
    public var invalidShare: Double = 0
    /// Connectors present at start.
    public var connectors: [Provider] = [.google, .microsoft]
    /// Credentials present at start, e.g. the `demo` credential of `run --sandbox`.
    public var seedCredentials: [SeedCredential] = []
    /// Seed of the fault draws, for repeatable runs; nil draws from the system.
    public var randomSeed: UInt64?
    /// Called on every event, from the request's task: lets a test act at an exact point of a run.
    public var observer: (@Sendable (SandboxEvent) -> Void)?

    public init() {}

    /// A credential that exists before the first request.
    public struct SeedCredential: Sendable, Hashable {
        public var provider: Provider
        public var id: String
        public var name: String
        public init(provider: Provider, id: String, name: String) {
            self.provider = provider
            self.id = id
            self.name = name
        }
    }
}

/// Something the sandbox did, reported to `SandboxConfiguration.observer`.
public enum SandboxEvent: Sendable, Hashable {
    /// A grant was created; `total` counts every creation so far.
    case grantCreated(email: String, total: Int)
    /// An existing grant was re-authenticated.
    case grantReauthenticated(email: String)
    /// A call was answered (or lost, with status 0).
    case answered(method: String, path: String, status: Int)
    /// A call arrived, before its key, the throttle or a fault were looked at: shows when a call
    /// was made even if its answer comes late (a held request) or never.
    case received(method: String, path: String)
}
