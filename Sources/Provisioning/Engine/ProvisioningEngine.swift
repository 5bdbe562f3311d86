import Foundation
import GrantLedger
import Logging
import NylasAPI

/// Runs users through a `TaskGroup` with at most `concurrency` calls in flight, one shared rate
/// limiter, retries, a circuit breaker and a graceful stop. Child tasks return their outcome;
/// only this loop counts.
public struct ProvisioningEngine: Sendable {
    public let configuration: EngineConfiguration
    public let control: RunControl
    private let client: NylasClient
    private let ledger: Ledger
    private let clock: any EngineClock
    private let logger: Logger

    public init(
        configuration: EngineConfiguration, client: NylasClient, ledger: Ledger, control: RunControl,
        clock: any EngineClock = SystemClock(), logger: Logger
    ) {
        self.configuration = configuration
        self.client = client
        self.ledger = ledger
        self.control = control
        self.clock = clock
        self.logger = logger
    }

    /// Provisions `items`, reporting each outcome to `progress`. Returns when all are done, or
    /// when a stop has let the calls in flight finish (or abandoned them after `stopGrace`).
    /// - Parameter limiter: the run's shared limiter, when calls outside the engine (listings,
    ///   deletions) must pace with it; nil makes one from the configuration.
    /// - Parameter turn: in a multi-organisation job, the job-wide concurrency limit every
    ///   user's work must take a turn at.
    public func run(
        _ items: [WorkItem], runID: Int64, progress: RunProgress, limiter: RateLimiter? = nil,
        turn: SharedPacing.Turn? = nil
    ) async -> EngineResult {
        let provisioner = UserProvisioner(
            configuration: configuration, client: client, ledger: ledger, runID: runID,
            limiter: limiter
                ?? RateLimiter(
                    rate: configuration.rate, burst: configuration.burst,
                    throttleBackoff: configuration.throttleBackoff, clock: clock),
            control: control, breaker: CircuitBreaker(threshold: configuration.breakerThreshold),
            budget: RetryBudget(configuration.retryBudget ?? max(50, items.count / 4)), clock: clock, logger: logger)
        let concurrency = max(1, configuration.concurrency)
        let control = self.control
        let clock = self.clock
        let grace = configuration.stopGrace
        @Sendable func process(_ item: WorkItem) async -> UserOutcome {
            guard let turn else { return await provisioner.process(item) }
            guard await turn.gate.acquire(turn.organisation) else {
                return UserOutcome(kind: .stopped, email: item.email, apiCalls: 0, error: nil)
            }
            let outcome = await provisioner.process(item)
            await turn.gate.release()
            return outcome
        }
        let work = Task {
            await withTaskGroup(of: UserOutcome.self, returning: EngineResult.self) { group in
                var result = EngineResult()
                var next = items.makeIterator()
                var running = 0
                while running < concurrency, let item = next.next() {
                    group.addTask { await process(item) }
                    running += 1
                }
                while let outcome = await group.next() {
                    running -= 1
                    result.add(outcome)
                    await progress.record(outcome)
                    if await control.isRunning, let item = next.next() {
                        group.addTask { await process(item) }
                        running += 1
                    }
                }
                return result
            }
        }
        // After a stop, calls in flight get `stopGrace` seconds to finish and be recorded; then
        // they are cancelled, and their users stay in_flight for the next run to look up.
        await control.whenStopped {
            Task {
                try? await clock.sleep(seconds: grace)
                work.cancel()
            }
        }
        var result = await work.value
        result.stopReason = await control.stopReason
        result.notStarted = items.count - result.finished
        return result
    }
}

/// What the engine did, counted from the outcomes its tasks returned.
public struct EngineResult: Sendable {
    public var granted = 0
    /// Granted users found by a lookup after an unknown outcome (no new call needed).
    public var foundByLookup = 0
    public var failed = 0
    public var deferred = 0
    /// Deferred users whose last call has an unknown outcome (left `in_flight`).
    public var deferredUnknown = 0
    /// Users the run stopped on (still pending or in_flight).
    public var stopped = 0
    public var notStarted = 0
    public var apiCalls = 0
    public var stopReason: RunControl.StopReason?
    /// Failure reasons with their count and one example address.
    public var failureReasons: [String: (count: Int, example: String)] = [:]

    var finished: Int { granted + failed + deferred + stopped }

    mutating func add(_ outcome: UserOutcome) {
        apiCalls += outcome.apiCalls
        switch outcome.kind {
        case .granted(let found):
            granted += 1
            if found { foundByLookup += 1 }
            return
        case .stopped:
            stopped += 1
            return
        case .failed:
            failed += 1
        case .deferred(let unknown):
            deferred += 1
            if unknown { deferredUnknown += 1 }
        }
        // Only users that ended failed or deferred give a failure reason.
        if let error = outcome.error {
            let reason = [error.status.map { "HTTP \($0)" }, error.type, Optional(error.message)]
                .compactMap { $0 }.joined(separator: " ")
            let entry = failureReasons[reason] ?? (0, outcome.email)
            failureReasons[reason] = (entry.count + 1, entry.example)
        }
    }
}
