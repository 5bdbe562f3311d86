import Foundation
import GrantLedger
import Logging
import NylasAPI

/// The life of one user in a run: admit, call, diagnose, apply. A user whose earlier outcome is
/// unknown is looked up first; otherwise it is marked `in_flight` (durably) and created. What
/// a failed call means comes from the failure catalogue, what follows from `UserLife`.
struct UserProvisioner: Sendable {
    let configuration: EngineConfiguration
    let client: NylasClient
    let ledger: Ledger
    let runID: Int64
    let limiter: RateLimiter
    let control: RunControl
    let stops: StopPolicy
    let budget: RetryBudget
    let clock: any EngineClock
    let logger: Logger

    static let createCall = "POST /v3/connect/custom"
    static let lookupCall = "GET /v3/grants"

    /// What one call did: a grant (created or found), nothing found, or a failure.
    private enum Answer {
        case granted(grantID: String, credentialID: String?, requestID: String?, foundByLookup: Bool)
        case notFound(requestID: String?)
        case failed(NylasError)
    }

    func process(_ item: WorkItem) async -> UserOutcome {
        var outcome = UserOutcome(kind: .stopped, email: item.email, apiCalls: 0, error: nil)
        var life = UserLife(phase: item.needsReconcile ? .lookUp : .create)
        let limits = UserLife.Limits(
            maxAttempts: configuration.maxAttempts, maxThrottles: configuration.maxThrottles,
            backoff: configuration.transientBackoff, settle: configuration.unknownOutcomeSettle)
        while true {
            guard let admittedAt = await admit(item, life, &outcome) else { return outcome }
            let lookingUp = life.phase == .lookUp
            if !lookingUp {
                guard await record(UserUpdate(userID: item.userID, state: .inFlight, runID: runID)) else { return outcome }
            }
            outcome.apiCalls += 1
            guard let answer = await call(item, lookingUp: lookingUp) else { return outcome }
            switch answer {
            case .granted(let grantID, let credentialID, let requestID, let found):
                await limiter.succeeded()
                await stops.succeeded()
                let call = found ? Self.lookupCall : Self.createCall
                let update = UserUpdate(
                    userID: item.userID, state: .granted, grantID: grantID, credentialID: credentialID,
                    clearsError: true, attemptsDelta: found ? 0 : 1, runID: runID,
                    attempt: audit(item, call, found ? "found" : "granted", found ? 200 : 201, requestID, nil))
                guard await record(update) else { return outcome }
                outcome.kind = .granted(foundByLookup: found)
                return outcome
            case .notFound(let requestID):
                await limiter.succeeded()
                let attempt = audit(item, Self.lookupCall, "not_found", 200, requestID, nil)
                guard await record(UserUpdate(userID: item.userID, state: .pending, runID: runID, attempt: attempt))
                else { return outcome }
                life.phase = .create
            case .failed(let error):
                let diagnosis = FailureCatalogue.diagnose(
                    error, call: lookingUp ? .lookup : .create, context: configuration.diagnosisContext)
                logger.debug(
                    "call failed",
                    metadata: [
                        "user.email": "\(item.email)", "http.status": .stringConvertible(error.status ?? 0),
                        "nylas.error_type": "\(error.type ?? "")", "nylas.request_id": "\(error.requestID ?? "")",
                        "failure.cause": "\(diagnosis.cause)",
                    ])
                outcome.error = error
                outcome.diagnosis = diagnosis
                var step = life.step(after: diagnosis, limits: limits, jitter: Double.random(in: 0...1))
                if case .retry = step.next, !(await budget.take()) {
                    step.next = .deferred
                    step.state = life.restingState
                }
                let call = lookingUp ? Self.lookupCall : Self.createCall
                guard await record(update(item, step, error, diagnosis, call)) else { return outcome }
                guard await apply(step.next, error, diagnosis, admittedAt: admittedAt, item, life, &outcome) else {
                    return outcome
                }
            }
        }
    }

    /// Waits for the limiter's slot; nil when the run stopped first, or the API asked for a
    /// longer pause than the run waits (the user is then deferred).
    private func admit(_ item: WorkItem, _ life: UserLife, _ outcome: inout UserOutcome) async -> Double? {
        while true {
            guard await control.isRunning else { return nil }
            switch await limiter.reserve(maxWait: configuration.maxRetryAfter) {
            case .deferred(let wait):
                let error = NylasError(
                    code: .api, call: life.phase == .lookUp ? Self.lookupCall : Self.createCall, status: 429,
                    message: "the API asked to wait \(Int(wait)) s, longer than this run waits; deferred to the next run")
                outcome.kind = .deferred(outcomeUnknown: life.phase == .lookUp)
                outcome.error = error
                _ = await record(
                    UserUpdate(
                        userID: item.userID, state: life.restingState, error: .init(error, cause: "http.429"),
                        runID: runID))
                return nil
            case .proceed(let delay):
                guard await control.pause(delay) else { return nil }
                // A 429 elsewhere while this task waited: take a new slot after the pause.
                if delay > 0, await limiter.isPaused() { continue }
                guard await control.isRunning else { return nil }
                return clock.now()
            }
        }
    }

    /// One call; nil when it was cancelled mid-way (the user stays in_flight, and the next run
    /// looks it up).
    private func call(_ item: WorkItem, lookingUp: Bool) async -> Answer? {
        do {
            if lookingUp {
                let page = try await client.listGrants(
                    GrantQuery(email: item.email, provider: configuration.provider), limit: 10)
                let match = page.data.first {
                    $0.email?.lowercased() == item.email && $0.provider == configuration.provider.rawValue
                }
                guard let match else { return .notFound(requestID: page.requestId) }
                return .granted(
                    grantID: match.id, credentialID: match.credentialId, requestID: page.requestId, foundByLookup: true)
            }
            let response = try await client.customAuthentication(
                .bulk(
                    provider: configuration.provider, credentialID: configuration.credentialID, email: item.email,
                    scopes: configuration.scopes))
            return .granted(
                grantID: response.data.id, credentialID: configuration.credentialID, requestID: response.requestId,
                foundByLookup: false)
        } catch let error as NylasError {
            return .failed(error)
        } catch {
            return nil
        }
    }

    /// Carries out what `UserLife` decided; false when the user's work ends here.
    private func apply(
        _ next: UserLife.Next, _ error: NylasError, _ diagnosis: Diagnosis, admittedAt: Double, _ item: WorkItem,
        _ life: UserLife, _ outcome: inout UserOutcome
    ) async -> Bool {
        switch next {
        case .retry(let delay):
            return await control.pause(delay)
        case .throttle:
            await limiter.throttled(retryAfter: error.retryAfter, admittedAt: admittedAt)
            return true
        case .failed:
            outcome.kind = .failed
            if let reason = await stops.observe(diagnosis, error, example: item.email) { await control.stop(reason) }
            return false
        case .deferred:
            outcome.kind = .deferred(outcomeUnknown: life.phase == .lookUp)
            return false
        case .held:
            outcome.kind = .held
            if let reason = await stops.observe(diagnosis, error, example: item.email) { await control.stop(reason) }
            return false
        }
    }

    private func update(
        _ item: WorkItem, _ step: UserLife.Step, _ error: NylasError, _ diagnosis: Diagnosis, _ call: String
    ) -> UserUpdate {
        UserUpdate(
            userID: item.userID, state: step.state,
            error: step.recordsError ? .init(error, cause: diagnosis.cause) : nil,
            attemptsDelta: step.attempts, runID: runID,
            attempt: audit(item, call, step.audit, error.status, error.requestID, error.type))
    }

    private func audit(
        _ item: WorkItem, _ call: String, _ result: String, _ status: Int?, _ requestID: String?, _ type: String?
    ) -> AttemptRecord {
        .now(
            userID: item.userID, runID: runID, call: call, outcome: result, status: status, requestID: requestID,
            errorType: type)
    }

    private func record(_ update: UserUpdate) async -> Bool {
        await ledger.record(update, orStop: control)
    }
}

extension UserUpdate.RecordedError {
    /// The error as the ledger keeps it, with the catalogue's cause id.
    init(_ error: NylasError, cause: String?) {
        self.init(
            status: error.status, type: error.type, message: error.message, requestID: error.requestID, cause: cause)
    }
}
