import Foundation
import NylasAPI

/// Everything the sandbox knows: grants, credentials, throttles and the counters behind
/// `/__sandbox/stats`. One actor, so each request sees and changes it atomically.
public actor SandboxState {
    struct StoredCredential: Sendable {
        var credential: Credential
        var data: [String: String]
    }

    struct CallKey: Hashable {
        var method: String
        var path: String
        var status: Int
    }

    var configuration: SandboxConfiguration
    var generator: SandboxRandom
    var buckets: [String: TokenBucket] = [:]
    var grants: [String: Grant] = [:]
    var grantOrder: [String] = []
    var grantByKey: [String: String] = [:]
    var credentials: [Provider: [StoredCredential]] = [:]
    var connectors: [Provider: Connector] = [:]
    var calls: [CallKey: Int] = [:]
    var creations: [String: Int] = [:]
    var reauths: [String: Int] = [:]
    var deletions: [String: Int] = [:]
    var faultCounts: [String: Int] = [:]
    /// Faults queued per path template by `script(_:for:)`, consumed first to last.
    var scripts: [String: [ScriptedFault]] = [:]
    var rateLimited = 0
    var totalCreations = 0
    /// Provider refusals sent, by the provider's code.
    var refusals: [String: Int] = [:]
    /// `/v3` calls received and not yet ended (answered, lost or abandoned).
    private var inProgress = 0
    private var settleWaiters: [CheckedContinuation<Void, Never>] = []
    private let started = Date().timeIntervalSince1970

    init(configuration: SandboxConfiguration) {
        self.configuration = configuration
        self.generator = SandboxRandom(seed: configuration.randomSeed)
        let now = Int(Date().timeIntervalSince1970)
        for provider in configuration.connectors {
            connectors[provider] = Connector(
                name: "\(provider.rawValue.capitalized) connector", provider: provider.rawValue, settings: nil,
                scope: [], activeCredentialId: nil)
        }
        for seed in configuration.seedCredentials {
            let credential = Credential(
                id: seed.id, name: seed.name, credentialType: seed.provider.bulkCredentialType, createdAt: now,
                updatedAt: now)
            credentials[seed.provider, default: []].append(StoredCredential(credential: credential, data: [:]))
        }
    }

    // MARK: Control, for tests and `/__sandbox` endpoints

    /// Replaces the fault plan, e.g. to start failing half-way through a run.
    public func setFaults(_ faults: FaultPlan) { configuration.faults = faults }

    /// Changes the accepted API key: every later call with the old key answers 401.
    public func setAPIKey(_ key: String) { configuration.apiKey = key }

    /// Changes the rate limit.
    public func setRateLimit(_ rate: Double) {
        configuration.rateLimit = rate
        buckets = [:]
    }

    /// Replaces the provider's side: an admin fixing delegation or consent between two runs.
    public func setTenant(_ tenant: SandboxTenant) { configuration.tenant = tenant }

    /// The provider's side as it stands.
    public func tenant() -> SandboxTenant { configuration.tenant }

    /// Changes how refusals are wrapped.
    public func setEnvelope(_ envelope: RefusalEnvelope) { configuration.envelope = envelope }

    /// Sets the domains whose users custom authentication rejects.
    public func setRejectedDomains(_ domains: Set<String>) { configuration.rejectedDomains = domains }

    /// Turns the grants of these emails `invalid`, as an expired or revoked token would.
    /// Returns how many grants changed.
    @discardableResult
    public func invalidate(emails: [String]) -> Int {
        var changed = 0
        for email in emails {
            for provider in Provider.allCases {
                if let id = grantByKey[Self.key(provider.rawValue, email)], grants[id]?.grantStatus != "invalid" {
                    grants[id]?.grantStatus = "invalid"
                    changed += 1
                }
            }
        }
        return changed
    }

    /// Removes a credential, as an admin deleting it in the dashboard would.
    public func removeCredential(provider: Provider, id: String) {
        credentials[provider]?.removeAll { $0.credential.id == id }
    }

    /// Adds a grant directly, as one made before bulkgrant was used.
    @discardableResult
    public func seedGrant(provider: Provider, email: String, status: String = "valid") -> Grant {
        let grant = makeGrant(provider: provider.rawValue, email: email.lowercased(), credentialID: nil, scopes: [])
        var stored = grant
        stored.grantStatus = status
        insert(stored)
        return stored
    }

    func began() { inProgress += 1 }

    func ended() {
        inProgress -= 1
        guard inProgress == 0 else { return }
        settleWaiters.forEach { $0.resume() }
        settleWaiters = []
    }

    /// Returns once no call is in progress: a call held by a `hang` fault is counted in the
    /// stats when its answer leaves, which may be after the client gave up on it, so a test
    /// reads the counters after this.
    public func settled() async {
        guard inProgress > 0 else { return }
        await withCheckedContinuation { settleWaiters.append($0) }
    }

    /// A snapshot of the counters.
    public func stats() -> SandboxStats {
        SandboxStats(
            calls: calls.map { .init(method: $0.key.method, path: $0.key.path, status: $0.key.status, count: $0.value) }
                .sorted { ($0.path, $0.method, $0.status) < ($1.path, $1.method, $1.status) },
            creationsByEmail: creations, reauthsByEmail: reauths, deletionsByEmail: deletions,
            rateLimited: rateLimited, faultsInjected: faultCounts, grants: grants.count, refusals: refusals)
    }

    /// Every live grant, oldest first.
    public func allGrants() -> [Grant] { grantOrder.compactMap { grants[$0] } }

    // MARK: Admission

    enum Admission {
        case unauthorized
        case throttled(retryAfter: Double)
        case fault(Fault)
        case scripted(ScriptedFault)
        case proceed(latency: Double, after: Fault?)
    }

    enum Fault: Sendable {
        case status(Int)
        case html
        case empty
        case drop
        case hang(Double)
        case burst(retryAfter: Double)

        var name: String {
            switch self {
            case .status(let code): return String(code)
            case .html: return "html"
            case .empty: return "empty"
            case .drop: return "drop"
            case .hang: return "hang"
            case .burst: return "429-burst"
            }
        }
    }

    /// Checks the key, a scripted fault, the throttle and the fault plan for one request.
    func admit(authorization: String?, method: String, group: String, path: String) -> Admission {
        configuration.observer?(.received(method: method, path: path))
        guard let authorization, authorization == "Bearer \(configuration.apiKey)" else { return .unauthorized }
        if let scripted = takeScripted(path: path) { return .scripted(scripted) }
        let now = Date().timeIntervalSince1970
        let bucketKey = configuration.apiKey + "|" + group
        var bucket = buckets[bucketKey] ?? TokenBucket(rate: configuration.rateLimit, now: now)
        let wait = configuration.rateLimit > 0 ? bucket.take(now: now) : nil
        buckets[bucketKey] = bucket
        if let wait {
            rateLimited += 1
            return .throttled(retryAfter: wait)
        }
        let plan = configuration.faults
        let latency = plan.latencyMs.lowerBound
            + generator.unit() * (plan.latencyMs.upperBound - plan.latencyMs.lowerBound)
        if let burst = plan.throttleBurst, burst.every > 0 {
            let phase = (now - started).truncatingRemainder(dividingBy: burst.every)
            if phase < burst.duration {
                return inject(.burst(retryAfter: burst.duration - phase))
            }
        }
        var roll = generator.unit()
        for (status, probability) in plan.statusProbabilities.sorted(by: { $0.key < $1.key }) {
            if roll < probability { return inject(.status(status)) }
            roll -= probability
        }
        if roll < plan.html { return inject(.html) }
        roll -= plan.html
        if roll < plan.empty { return inject(.empty) }
        roll -= plan.empty
        if roll < plan.drop {
            faultCounts["drop", default: 0] += 1
            return .proceed(latency: latency / 1000, after: .drop)
        }
        roll -= plan.drop
        if roll < plan.hang {
            faultCounts["hang", default: 0] += 1
            return .proceed(latency: latency / 1000, after: .hang(plan.hangSeconds))
        }
        return .proceed(latency: latency / 1000, after: nil)
    }

    private func inject(_ fault: Fault) -> Admission {
        faultCounts[fault.name, default: 0] += 1
        switch fault {
        case .status(429), .burst: rateLimited += 1
        default: break
        }
        return .fault(fault)
    }

    func record(method: String, path: String, status: Int) {
        calls[CallKey(method: method, path: path, status: status), default: 0] += 1
        configuration.observer?(.answered(method: method, path: path, status: status))
    }
}

extension SandboxState {
    static func key(_ provider: String, _ email: String) -> String { provider + "|" + email.lowercased() }

    func makeGrant(provider: String, email: String, credentialID: String?, scopes: [String]) -> Grant {
        let now = Int(Date().timeIntervalSince1970)
        var settings: [String: JSONValue] = ["app_permission": .bool(true)]
        if let credentialID { settings["credential_id"] = .string(credentialID) }
        return Grant(
            id: UUID().uuidString.lowercased(), provider: provider, email: email, grantStatus: "valid",
            scope: scopes, settings: .object(settings), credentialId: credentialID, createdAt: now, updatedAt: now,
            blocked: false)
    }

    func insert(_ grant: Grant) {
        grants[grant.id] = grant
        grantOrder.append(grant.id)
        grantByKey[Self.key(grant.provider, grant.email ?? "")] = grant.id
    }
}

extension SandboxState {
    func generatorUnit() -> Double { generator.unit() }
}
