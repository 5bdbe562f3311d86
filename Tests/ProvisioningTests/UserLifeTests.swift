import NylasAPI
import Testing

@testable import Provisioning

/// The user's life between calls, as the pure step function it is: no HTTP, no ledger.
@Suite("user life")
struct UserLifeTests {
    static let limits = UserLife.Limits(
        maxAttempts: 3, maxThrottles: 2, backoff: BackoffPolicy(base: 1, cap: 8), settle: 2)

    static func diagnosis(_ reach: Diagnosis.Reach, _ retry: Diagnosis.Retry, atOnce: Bool = false) -> Diagnosis {
        Diagnosis(cause: "x", reach: reach, retry: retry, meaning: "m", fix: "f", recognised: true, stopsAtOnce: atOnce)
    }

    @Test("a user's own cause fails that user, counting the creation sent")
    func userCause() {
        var life = UserLife(phase: .create)
        let step = life.step(after: Self.diagnosis(.user, .never), limits: Self.limits, jitter: 0.5)
        #expect(step == .init(state: .failed, audit: "failed", attempts: 1, recordsError: true, next: .failed))
    }

    @Test("a credential-wide cause holds the user pending (in_flight after an unknown outcome)")
    func credentialCause() {
        var life = UserLife(phase: .create)
        #expect(life.step(after: Self.diagnosis(.credential, .never), limits: Self.limits, jitter: 0).next == .held)
        #expect(life.step(after: Self.diagnosis(.credential, .never), limits: Self.limits, jitter: 0).state == .pending)
        var unknown = UserLife(phase: .lookUp)
        let step = unknown.step(after: Self.diagnosis(.application, .never, atOnce: true), limits: Self.limits, jitter: 0)
        #expect(step.state == .inFlight && step.audit == "fatal" && step.attempts == 0)
    }

    @Test("an unknown outcome turns to a lookup after at least the settle time; lookups count no creation")
    func unknownOutcome() {
        var life = UserLife(phase: .create)
        let first = life.step(after: Self.diagnosis(.call, .lookUpFirst), limits: Self.limits, jitter: 0)
        #expect(life.phase == .lookUp)
        #expect(first == .init(state: .inFlight, audit: "unknown", attempts: 1, recordsError: true, next: .retry(after: 2)))
        let second = life.step(after: Self.diagnosis(.call, .backoff), limits: Self.limits, jitter: 1)
        #expect(second == .init(state: .inFlight, audit: "retry", attempts: 0, recordsError: true, next: .retry(after: 2)))
        let third = life.step(after: Self.diagnosis(.call, .backoff), limits: Self.limits, jitter: 1)
        #expect(third.next == .deferred && third.state == .inFlight, "retries ran out: still looked up first next run")
    }

    @Test("transient errors back off by their ceiling times the jitter, then defer")
    func backoff() {
        var life = UserLife(phase: .create)
        #expect(life.step(after: Self.diagnosis(.call, .backoff), limits: Self.limits, jitter: 1).next == .retry(after: 1))
        #expect(life.step(after: Self.diagnosis(.call, .backoff), limits: Self.limits, jitter: 0.5).next == .retry(after: 1))
        let last = life.step(after: Self.diagnosis(.call, .backoff), limits: Self.limits, jitter: 1)
        #expect(last == .init(state: .deferred, audit: "retry", attempts: 1, recordsError: true, next: .deferred))
    }

    @Test("429s pause everyone; too many defer the user")
    func throttles() {
        var life = UserLife(phase: .create)
        let first = life.step(after: Self.diagnosis(.call, .afterRetryAfter), limits: Self.limits, jitter: 0)
        #expect(first == .init(state: .pending, audit: "throttled", attempts: 0, recordsError: false, next: .throttle))
        let second = life.step(after: Self.diagnosis(.call, .afterRetryAfter), limits: Self.limits, jitter: 0)
        #expect(second.next == .deferred && second.state == .deferred && second.recordsError)
    }

    @Test("the stop policy: at once for Nylas's refusals, after N identical credential causes, never for a user's own")
    func stopPolicy() async {
        let policy = StopPolicy(repeats: 3, breakerThreshold: 2)
        let error = NylasError(code: .api, call: "c", status: 400, type: "t", message: "m")
        #expect(await policy.observe(Self.diagnosis(.application, .never, atOnce: true), error, example: "a") != nil)
        let credential = Diagnosis(cause: "google.delegation_missing", reach: .credential, retry: .never, meaning: "m", fix: "f", recognised: true)
        #expect(await policy.observe(credential, error, example: "a") == nil)
        #expect(await policy.observe(credential, error, example: "b") == nil)
        guard case .cause(let stop)? = await policy.observe(credential, error, example: "c") else {
            Issue.record("the third identical credential-wide answer must stop the run")
            return
        }
        #expect(stop.answers == 3 && stop.diagnosis.cause == "google.delegation_missing")
        let user = Diagnosis(cause: "google.user_not_found", reach: .user, retry: .never, meaning: "m", fix: "f", recognised: true)
        for _ in 0..<50 { #expect(await policy.observe(user, error, example: "u") == nil) }
        let unknown = Diagnosis(cause: "http.400", reach: .user, retry: .never, meaning: "m", fix: "", recognised: false)
        #expect(await policy.observe(unknown, error, example: "u") == nil)
        guard case .breaker? = await policy.observe(unknown, error, example: "v") else {
            Issue.record("the breaker stays the net for unrecognised streaks")
            return
        }
    }
}
