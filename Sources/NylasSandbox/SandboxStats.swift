/// What the sandbox served, as `GET /__sandbox/stats` returns it, so that a test can prove
/// from the server's side that no grant was created twice.
public struct SandboxStats: Sendable, Codable, Hashable {
    public struct Call: Sendable, Codable, Hashable {
        public var method: String
        public var path: String
        /// 0 for an answer that was lost (`drop`).
        public var status: Int
        public var count: Int
    }

    public var calls: [Call]
    /// Grants *created* per email (re-authentications not counted).
    public var creationsByEmail: [String: Int]
    /// Re-authentications of an existing grant per email.
    public var reauthsByEmail: [String: Int]
    /// Grants deleted per email.
    public var deletionsByEmail: [String: Int]
    /// 429s sent, by the rate limit or injected.
    public var rateLimited: Int
    /// Faults injected, by kind (`500`, `drop`, `hang`, …).
    public var faultsInjected: [String: Int]
    /// Live grants now.
    public var grants: Int
    /// Provider refusals sent by the tenant model, by the provider's code.
    public var refusals: [String: Int] = [:]

    enum CodingKeys: String, CodingKey {
        case calls, grants
        case creationsByEmail = "creations_by_email"
        case reauthsByEmail = "reauths_by_email"
        case deletionsByEmail = "deletions_by_email"
        case rateLimited = "rate_limited"
        case faultsInjected = "faults_injected"
        case refusals
    }

    /// Calls answered for `method` and `path` (any status, or one status).
    public func count(_ method: String, _ path: String, status: Int? = nil) -> Int {
        calls.filter { $0.method == method && $0.path == path && (status == nil || $0.status == status) }
            .reduce(0) { $0 + $1.count }
    }
}
