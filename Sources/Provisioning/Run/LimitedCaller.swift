import GrantLedger
import NylasAPI

/// Calls made outside the engine (grant listings, deletions) under the same rules: each passes
/// the run's shared rate limiter; a 429 pauses everyone; transient errors are retried with
/// backoff up to `maxAttempts`; a 401 stops the run.
struct LimitedCaller: Sendable {
    enum Outcome<T: Sendable>: Sendable {
        case success(T)
        /// The run stopped (signal, or this call's fatal error) before an answer.
        case stopped
        /// Retries ran out, or the API asked to wait longer than the run waits.
        case deferred(NylasError)
        /// A permanent error.
        case failed(NylasError)
    }

    let limiter: RateLimiter
    let control: RunControl
    let configuration: EngineConfiguration
    let clock: any EngineClock

    /// Performs `operation`, reporting every failed try with its diagnosis to `failedTry` (for
    /// the audit and the per-status counts) before deciding what to do with it.
    func perform<T: Sendable>(
        _ call: String, kind: CallKind,
        failedTry: @Sendable (NylasError, Diagnosis) async -> Void = { _, _ in },
        _ operation: @Sendable () async throws -> T
    ) async -> Outcome<T> {
        var failures = 0
        var throttles = 0
        var random = SystemRandomNumberGenerator()
        while true {
            guard await control.isRunning else { return .stopped }
            let admittedAt: Double
            switch await limiter.reserve(maxWait: configuration.maxRetryAfter) {
            case .deferred(let wait):
                return .deferred(
                    NylasError(
                        code: .api, call: call, status: 429,
                        message: "the API asked to wait \(Int(wait)) s, longer than this run waits; left for the next run"))
            case .proceed(let delay):
                guard await control.pause(delay) else { return .stopped }
                if delay > 0, await limiter.isPaused() { continue }
                admittedAt = clock.now()
            }
            guard await control.isRunning else { return .stopped }
            let error: NylasError
            do {
                let value = try await operation()
                await limiter.succeeded()
                return .success(value)
            } catch let failure as NylasError {
                error = failure
            } catch {
                return .stopped
            }
            let diagnosis = FailureCatalogue.diagnose(error, call: kind, context: configuration.diagnosisContext)
            await failedTry(error, diagnosis)
            switch diagnosis.retry {
            case .never where diagnosis.stopsRun:
                await control.stop(.cause(StopCause(diagnosis: diagnosis, answers: 1, example: call, error: error.description)))
                return .stopped
            case .never:
                return .failed(error)
            case .afterRetryAfter:
                await limiter.throttled(retryAfter: error.retryAfter, admittedAt: admittedAt)
                throttles += 1
                if throttles >= configuration.maxThrottles { return .deferred(error) }
            case .backoff, .lookUpFirst:
                failures += 1
                if failures >= configuration.maxAttempts { return .deferred(error) }
                guard await control.pause(configuration.transientBackoff.delay(attempt: failures, using: &random)) else {
                    return .stopped
                }
            }
        }
    }
}

/// Calls that belong to no user (listing pages), counted by call and status.
actor CallTally {
    private var counts: [String: [Int: Int]] = [:]

    func add(_ call: String, status: Int?) {
        counts[call, default: [:]][status ?? 0, default: 0] += 1
    }

    var total: Int { counts.values.reduce(0) { $0 + $1.values.reduce(0, +) } }

    var calls: [CallCount] {
        counts.flatMap { call, statuses in statuses.map { CallCount(call: call, status: $0.key, count: $0.value) } }
    }
}
