import Foundation
import GrantLedger
import Logging
import NylasAPI

/// Deletes departed users' grants, resumably: each user is marked `revoking` (durably) before
/// `DELETE /v3/grants/{id}` leaves, then `revoked`. A 404 means the grant is already gone, so a
/// user a killed run left `revoking` is simply deleted again on the next run.
struct Revoker: Sendable {
    struct Target: Sendable, Hashable {
        var userID: Int64
        var email: String
        var grantID: String?
    }

    /// What the revocations came to.
    struct Result: Sendable {
        var revoked = 0
        /// Of `revoked`, grants that were already gone (404).
        var alreadyGone = 0
        /// Left `revoking` for the next run (retries ran out, or a permanent error).
        var unfinished = 0
        var failures = FailureTally()
    }

    private enum Answer: Sendable {
        case deleted(requestID: String?)
        case gone(requestID: String?)
    }

    // The ledger's report of departed users reads these calls back.
    static let deleteCall = DepartedUser.deleteCall
    static let lookupCall = DepartedUser.lookupCall

    let client: NylasClient
    let ledger: Ledger
    let runID: Int64
    let provider: Provider
    let caller: LimitedCaller
    let concurrency: Int
    let logger: Logger

    func revoke(_ targets: [Target]) async -> Result {
        let width = max(1, min(concurrency, targets.count))
        return await withTaskGroup(of: (Target, Answer?, NylasError?).self, returning: Result.self) { group in
            var result = Result()
            var next = targets.makeIterator()
            for _ in 0..<width {
                guard let target = next.next() else { break }
                group.addTask { await self.process(target) }
            }
            while let (target, answer, error) = await group.next() {
                switch answer {
                case .deleted: result.revoked += 1
                case .gone:
                    result.revoked += 1
                    result.alreadyGone += 1
                case nil:
                    result.unfinished += 1
                    if let error {
                        let diagnosis = FailureCatalogue.diagnose(
                            error, call: .delete, context: caller.configuration.diagnosisContext)
                        result.failures.add(error, diagnosis, email: target.email)
                    }
                }
                if await caller.control.isRunning, let target = next.next() {
                    group.addTask { await self.process(target) }
                }
            }
            return result
        }
    }

    private func process(_ target: Target) async -> (Target, Answer?, NylasError?) {
        // Durable before the DELETE leaves: a kill after this point is resumed by the next run.
        guard await record(UserUpdate(userID: target.userID, state: .revoking, runID: runID)) else {
            return (target, nil, nil)
        }
        let client = self.client
        let provider = self.provider
        var grantID = target.grantID
        if grantID == nil {
            // No id recorded: ask Nylas which grant the user holds.
            let outcome = await caller.perform(Self.lookupCall, kind: .lookup, failedTry: audit(target, Self.lookupCall)) {
                try await client.listGrants(GrantQuery(email: target.email, provider: provider), limit: 10)
            }
            switch outcome {
            case .success(let page):
                let match = page.data.first { $0.email?.lowercased() == target.email && $0.provider == provider.rawValue }
                _ = await record(
                    UserUpdate(
                        userID: target.userID, state: .revoking, runID: runID,
                        attempt: attempt(target, Self.lookupCall, match == nil ? "not_found" : "found", 200, page.requestId, nil)))
                guard let match else { return await finish(target, .gone(requestID: page.requestId), deleted: false) }
                grantID = match.id
            case .stopped:
                return (target, nil, nil)
            case .deferred(let error), .failed(let error):
                return await leave(target, error)
            }
        }
        guard let grantID else { return (target, nil, nil) }
        let outcome = await caller.perform(Self.deleteCall, kind: .delete, failedTry: audit(target, Self.deleteCall)) {
            () async throws -> Answer in
            do {
                return .deleted(requestID: try await client.deleteGrant(id: grantID).requestId)
            } catch let error as NylasError where error.status == 404 {
                return .gone(requestID: error.requestID)
            }
        }
        switch outcome {
        case .success(let answer):
            return await finish(target, answer, deleted: true)
        case .stopped:
            return (target, nil, nil)
        case .deferred(let error), .failed(let error):
            return await leave(target, error)
        }
    }

    /// - Parameter deleted: a DELETE was answered (false: a lookup found no grant to delete).
    private func finish(_ target: Target, _ answer: Answer, deleted: Bool) async -> (Target, Answer?, NylasError?) {
        let (status, requestID, result): (Int, String?, String) =
            switch answer {
            case .deleted(let id): (200, id, "revoked")
            case .gone(let id): (404, id, "not_found")
            }
        logger.debug(
            "grant revoked",
            metadata: [
                "user.email": "\(target.email)", "http.status": .stringConvertible(status), "nylas.request_id": "\(requestID ?? "")",
                "revocation.result": "\(result)",
            ])
        let update = UserUpdate(
            userID: target.userID, state: .revoked, clearsError: true, runID: runID,
            attempt: deleted
                ? attempt(target, Self.deleteCall, result, status, requestID, status == 404 ? "grant.not_found" : nil) : nil)
        guard await record(update) else { return (target, nil, nil) }
        return (target, answer, nil)
    }

    /// Leaves the user `revoking`, with the error, for the next run.
    private func leave(_ target: Target, _ error: NylasError) async -> (Target, Answer?, NylasError?) {
        logger.warning(
            "revocation left for the next run",
            metadata: [
                "user.email": "\(target.email)", "http.status": .stringConvertible(error.status ?? 0),
                "nylas.error_type": "\(error.type ?? "")", "nylas.request_id": "\(error.requestID ?? "")",
            ])
        _ = await record(
            UserUpdate(
                userID: target.userID, state: .revoking,
                error: .init(
                    error, cause: FailureCatalogue.diagnose(error, call: .delete, context: caller.configuration.diagnosisContext).cause),
                runID: runID))
        return (target, nil, error)
    }

    /// Records each failed try in the audit.
    private func audit(_ target: Target, _ call: String) -> @Sendable (NylasError, Diagnosis) async -> Void {
        { error, diagnosis in
            let result: String
            switch diagnosis.retry {
            case .never where diagnosis.stopsRun: result = "fatal"
            case .never: result = "failed"
            case .afterRetryAfter: result = "throttled"
            case .backoff, .lookUpFirst: result = "retry"
            }
            _ = await record(
                UserUpdate(
                    userID: target.userID, state: .revoking, runID: runID,
                    attempt: attempt(target, call, result, error.status, error.requestID, error.type)))
        }
    }

    private func attempt(
        _ target: Target, _ call: String, _ result: String, _ status: Int?, _ requestID: String?, _ type: String?
    ) -> AttemptRecord {
        .now(
            userID: target.userID, runID: runID, call: call, outcome: result, status: status, requestID: requestID,
            errorType: type)
    }

    private func record(_ update: UserUpdate) async -> Bool {
        await ledger.record(update, orStop: caller.control)
    }
}
