import NylasAPI

/// Pages through `GET /v3/grants` (200 per call), each page passing the run's limiter and
/// retry rules: how adoption finds existing grants and `--repair-invalid` finds invalid ones,
/// in one call per 200 grants instead of one per user.
struct GrantListing: Sendable {
    /// Why a listing did not complete.
    struct Failure: Error, Sendable, CustomStringConvertible {
        /// The run was stopped (a signal, or a fatal error such as a 401, already recorded).
        var stopped: Bool
        var error: NylasError?

        var description: String {
            if let error { return error.description }
            return stopped ? "the run was stopped" : "unknown failure"
        }
    }

    static let call = "GET /v3/grants"

    let client: NylasClient
    let caller: LimitedCaller
    let tally: CallTally

    /// Every grant matching `query`.
    func all(_ query: GrantQuery) async throws(Failure) -> [Grant] {
        let client = self.client
        let caller = self.caller
        let tally = self.tally
        let pager = OffsetPager<Grant>(pageSize: 200) { offset, limit in
            let outcome = await caller.perform(
                Self.call, kind: .list, failedTry: { error, _ in await tally.add(Self.call, status: error.status) }
            ) {
                try await client.listGrants(query, limit: limit, offset: offset)
            }
            switch outcome {
            case .success(let page):
                await tally.add(Self.call, status: 200)
                return page.data
            case .stopped:
                throw Failure(stopped: true, error: nil)
            case .deferred(let error), .failed(let error):
                throw Failure(stopped: false, error: error)
            }
        }
        var grants: [Grant] = []
        do {
            for try await grant in pager { grants.append(grant) }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(stopped: false, error: nil)
        }
        return grants
    }
}
