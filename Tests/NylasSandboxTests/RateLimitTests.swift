import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

@Suite("The sandbox's rate limit (429 pacing)")
struct RateLimitTests {
    /// Fires `count` list calls at once and returns each outcome.
    private func burst(_ client: NylasClient, _ count: Int) async -> [Result<Int, NylasError>] {
        await withTaskGroup(of: Result<Int, NylasError>.self) { group in
            for _ in 0..<count {
                group.addTask {
                    do {
                        return .success(try await client.listGrants(limit: 1).data.count)
                    } catch let error as NylasError {
                        return .failure(error)
                    } catch {
                        return .failure(NylasError(code: .transport, call: "test", message: "\(error)"))
                    }
                }
            }
            var results: [Result<Int, NylasError>] = []
            for await result in group { results.append(result) }
            return results
        }
    }

    @Test func burstOf3NConcurrentCallsLetsExactlyNThroughAndThrottlesTheRest() async throws {
        let n = 5
        // Start unthrottled, so that warming up the connection pool costs no tokens.
        let configuration = sandboxConfiguration {
            $0.rateLimit = 0
            $0.rateLimitRetryAfter = 1
        }
        try await withSandbox(configuration) { server, client in
            // Open 3N connections first: the burst below then measures the limiter, not TCP set-up.
            let warmUp = await burst(client, 3 * n)
            #expect(warmUp.allSatisfy { (try? $0.get()) != nil })
            await server.state.setRateLimit(Double(n))
            let rateLimitedBefore = await server.state.stats().rateLimited
            #expect(rateLimitedBefore == 0)

            let started = ContinuousClock.now
            let results = await burst(client, 3 * n)
            let elapsed = (ContinuousClock.now - started) / .seconds(1)

            let successes = results.filter { (try? $0.get()) != nil }.count
            let throttled = results.compactMap { result -> NylasError? in
                if case .failure(let error) = result { return error }
                return nil
            }
            // A bucket of N tokens refilled at N per second: exactly N pass while the burst lasts
            // under 1/N s, which on loopback it does; a slower machine may see one refill per 1/N s.
            let refills = Int(elapsed * Double(n))
            if refills == 0 {
                #expect(successes == n, "burst took \(elapsed) s")
            } else {
                #expect(successes >= n && successes <= n + refills, "burst took \(elapsed) s")
            }
            #expect(successes + throttled.count == 3 * n)
            for error in throttled {
                #expect(error.isRateLimited)
                #expect(error.type == "nylas_rate_limit_exceeded")
                #expect(error.retryAfter == 1)
            }
            let stats = await server.state.stats()
            #expect(stats.rateLimited == throttled.count)
            #expect(stats.count("GET", "/v3/grants", status: 429) == throttled.count)
        }
    }

    @Test func limitIsPerEndpointGroup() async throws {
        // One request per 50 s: no refill can happen while the test runs, however slow the machine.
        let configuration = sandboxConfiguration { $0.rateLimit = 0.02 }
        try await withSandbox(configuration) { server, client in
            _ = try await client.listGrants()
            let throttled = try await #require(throws: NylasError.self) { try await client.listGrants() }
            #expect(throttled.isRateLimited)
            // The grants group is spent; connectors and connect/custom have their own buckets.
            _ = try await client.listConnectors()
            _ = try await client.authenticateGoogle("ada@example.com")
            #expect(await server.state.stats().rateLimited == 1)
        }
    }

    @Test func rateLimitCanBeLiftedAtRunTime() async throws {
        let configuration = sandboxConfiguration { $0.rateLimit = 0.02 }
        try await withSandbox(configuration) { server, client in
            _ = try await client.listGrants()
            await #expect(throws: NylasError.self) { try await client.listGrants() }
            await server.state.setRateLimit(1000)
            _ = try await client.listGrants()
            _ = try await client.listGrants()
            #expect(await server.state.stats().rateLimited == 1)
        }
    }

    @Test func throttledAnswerWithoutRetryAfterWhenConfiguredSo() async throws {
        let configuration = sandboxConfiguration {
            $0.rateLimit = 0.02
            $0.rateLimitRetryAfter = nil
        }
        try await withSandbox(configuration) { _, client in
            _ = try await client.listGrants()
            let error = try await #require(throws: NylasError.self) { try await client.listGrants() }
            #expect(error.isRateLimited)
            #expect(error.retryAfter == nil)
        }
    }
}
