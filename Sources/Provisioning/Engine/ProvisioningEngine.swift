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
            control: control,
            stops: StopPolicy(repeats: configuration.stopAfter, breakerThreshold: configuration.breakerThreshold),
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
        // Users held by a credential-wide cause are unfinished when the run stopped for it, and
        // left for the next run otherwise.
        if result.stopReason != nil { result.stopped += result.held } else { result.deferred += result.held }
        result.held = 0
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
    /// Users whose call met a credential-wide cause (left pending), before they are counted as
    /// stopped or deferred.
    var held = 0
    public var notStarted = 0
    public var apiCalls = 0
    public var stopReason: RunControl.StopReason?
    /// Failures by cause, with their count and one example address.
    public var failures = FailureTally()

    var finished: Int { granted + failed + deferred + stopped + held }

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
        case .held:
            held += 1
        }
        // Only users that ended failed, deferred or held give a failure reason.
        if let error = outcome.error { failures.add(error, outcome.diagnosis, email: outcome.email) }
    }
}
