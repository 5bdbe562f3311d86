import Foundation
import GrantLedger
import Logging
import NylasAPI

/// The life of one user in a run: look up when the outcome of an earlier call is unknown,
/// otherwise mark `in_flight` (durably) and create; then record what happened.
struct UserProvisioner: Sendable {
    let configuration: EngineConfiguration
    let client: NylasClient
    let ledger: Ledger
    let runID: Int64
    let limiter: RateLimiter
    let control: RunControl
    let breaker: CircuitBreaker
    let budget: RetryBudget
    let clock: any EngineClock
    let logger: Logger

    private static let createCall = "POST /v3/connect/custom"
    private static let lookupCall = "GET /v3/grants"

    func process(_ item: WorkItem) async -> UserOutcome {
        var outcome = UserOutcome(kind: .stopped, email: item.email, apiCalls: 0, error: nil)
        var unknown = item.needsReconcile
        var failures = 0
        var throttles = 0
        var random = SystemRandomNumberGenerator()
        while true {
            guard await control.isRunning else { return outcome }
            let admittedAt: Double
            switch await limiter.reserve(maxWait: configuration.maxRetryAfter) {
            case .deferred(let wait):
                let error = NylasError(
                    code: .api, call: unknown ? Self.lookupCall : Self.createCall, status: 429,
                    message: "the API asked to wait \(Int(wait)) s, longer than this run waits; deferred to the next run")
                return await finish(item, &outcome, .deferred(outcomeUnknown: unknown), error: error, unknown: unknown)
            case .proceed(let delay):
                guard await control.pause(delay) else { return outcome }
                // A 429 elsewhere while this task waited: take a new slot after the pause.
                if delay > 0, await limiter.isPaused() { continue }
                admittedAt = clock.now()
            }
            guard await control.isRunning else { return outcome }

            let error: NylasError
            if unknown {
                outcome.apiCalls += 1
                do {
                    let page = try await client.listGrants(
                        GrantQuery(email: item.email, provider: configuration.provider), limit: 10)
                    await limiter.succeeded()
                    let match = page.data.first {
                        $0.email?.lowercased() == item.email && $0.provider == configuration.provider.rawValue
                    }
                    let attempt = audit(item, Self.lookupCall, match == nil ? "not_found" : "found", 200, page.requestId, nil)
                    if let match {
                        let update = UserUpdate(
                            userID: item.userID, state: .granted, grantID: match.id,
                            credentialID: match.credentialId, clearsError: true, runID: runID, attempt: attempt)
                        guard await record(update) else { return outcome }
                        outcome.kind = .granted(foundByLookup: true)
                        return outcome
                    }
                    let update = UserUpdate(userID: item.userID, state: .pending, runID: runID, attempt: attempt)
                    guard await record(update) else { return outcome }
                    unknown = false
                    continue
                } catch let failure as NylasError {
                    error = failure
                } catch {
                    return outcome
                }
            } else {
                guard await record(UserUpdate(userID: item.userID, state: .inFlight, runID: runID)) else {
                    return outcome
                }
                outcome.apiCalls += 1
                do {
                    let response = try await client.customAuthentication(
                        .bulk(
                            provider: configuration.provider, credentialID: configuration.credentialID,
                            email: item.email, scopes: configuration.scopes))
                    await limiter.succeeded()
                    await breaker.succeeded()
                    let update = UserUpdate(
                        userID: item.userID, state: .granted, grantID: response.data.id,
                        credentialID: configuration.credentialID, clearsError: true, attemptsDelta: 1, runID: runID,
                        attempt: audit(item, Self.createCall, "granted", 201, response.requestId, nil))
                    guard await record(update) else { return outcome }
                    outcome.kind = .granted(foundByLookup: false)
                    return outcome
                } catch let failure as NylasError {
                    error = failure
                } catch {
                    // Cancelled mid-call: the user stays in_flight and the next run looks it up.
                    return outcome
                }
            }

            outcome.error = error
            let creating = !unknown
            let call = creating ? Self.createCall : Self.lookupCall
            logger.debug(
                "call failed",
                metadata: [
                    "user.email": "\(item.email)", "http.status": "\(error.status ?? 0)",
                    "nylas.error_type": "\(error.type ?? "")", "nylas.request_id": "\(error.requestID ?? "")",
                ])
            var errorClass = ErrorClass.of(error, creating: creating)
            // A lookup that fails oddly says nothing final about the user: look again later.
            if !creating && errorClass == .permanent { errorClass = .transient(outcomeUnknown: false) }
            switch errorClass {
            case .fatal:
                // 401 and unknown credentials are answered before anything is applied.
                let state: UserState = unknown ? .inFlight : .pending
                _ = await record(update(item, state, error, call, "fatal", attempts: creating ? 1 : 0))
                await control.stop(.fatal(error.description))
                return outcome
            case .throttled(let retryAfter):
                await limiter.throttled(retryAfter: retryAfter, admittedAt: admittedAt)
                throttles += 1
                let state: UserState = unknown ? .inFlight : .pending
                guard await record(update(item, state, nil, call, "throttled", attempts: 0, error: error)) else {
                    return outcome
                }
                if throttles >= configuration.maxThrottles {
                    return await finish(item, &outcome, .deferred(outcomeUnknown: unknown), error: error, unknown: unknown)
                }
            case .permanent:
                guard await record(update(item, .failed, error, call, "failed", attempts: 1)) else { return outcome }
                outcome.kind = .failed
                if await breaker.failed(error) {
                    await control.stop(
                        .breaker(
                            "\(configuration.breakerThreshold) users in a row failed with the same error: \(error.description)"
                        ))
                }
                return outcome
            case .transient(let outcomeUnknown):
                if outcomeUnknown { unknown = true }
                failures += 1
                let state: UserState = unknown ? .inFlight : .pending
                guard await record(update(item, state, error, call, unknown ? "unknown" : "retry", attempts: creating ? 1 : 0))
                else { return outcome }
                if failures >= configuration.maxAttempts {
                    return await finish(item, &outcome, .deferred(outcomeUnknown: unknown), error: error, unknown: unknown)
                }
                guard await budget.take() else {
                    return await finish(item, &outcome, .deferred(outcomeUnknown: unknown), error: error, unknown: unknown)
                }
                var delay = configuration.transientBackoff.delay(attempt: failures, using: &random)
                if unknown { delay = max(delay, configuration.unknownOutcomeSettle) }
                guard await control.pause(delay) else { return outcome }
            }
        }
    }

    /// Ends the user as deferred; a user whose last call has an unknown outcome stays
    /// `in_flight` so that the next run looks it up before sending anything.
    private func finish(
        _ item: WorkItem, _ outcome: inout UserOutcome, _ kind: UserOutcome.Kind, error: NylasError, unknown: Bool
    ) async -> UserOutcome {
        outcome.kind = kind
        outcome.error = error
        let recorded = UserUpdate.RecordedError(
            status: error.status, type: error.type, message: error.message, requestID: error.requestID)
        _ = await record(
            UserUpdate(userID: item.userID, state: unknown ? .inFlight : .deferred, error: recorded, runID: runID))
        return outcome
    }

    private func update(
        _ item: WorkItem, _ state: UserState, _ recorded: NylasError?, _ call: String, _ result: String, attempts: Int,
        error: NylasError? = nil
    ) -> UserUpdate {
        let source = recorded ?? error
        return UserUpdate(
            userID: item.userID, state: state,
            error: recorded.map {
                .init(status: $0.status, type: $0.type, message: $0.message, requestID: $0.requestID)
            },
            attemptsDelta: attempts, runID: runID,
            attempt: audit(item, call, result, source?.status, source?.requestID, source?.type))
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
