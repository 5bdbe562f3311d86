/// What the organisations of one job share: the API's rate limit is per application, so one
/// limiter and one concurrency limit serve them all, and one progress counts all their users.
public struct SharedPacing: Sendable {
    public let limiter: RateLimiter
    public let gate: FairGate
    public let progress: RunProgress

    public init(limiter: RateLimiter, gate: FairGate, progress: RunProgress) {
        self.limiter = limiter
        self.gate = gate
        self.progress = progress
    }

    /// This job's pacing as seen by the organisation at `index`.
    public func turn(_ index: Int) -> Turn { Turn(gate: gate, organisation: index) }

    /// One organisation's place in the job's turns.
    public struct Turn: Sendable {
        public let gate: FairGate
        public let organisation: Int
    }
}
