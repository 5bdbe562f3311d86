import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

/// Each fault knob at probability 1.0, so that every outcome is deterministic.
@Suite("Fault injection")
struct FaultTests {
    private static func faults(_ change: (inout FaultPlan) -> Void) -> SandboxConfiguration {
        sandboxConfiguration { configuration in change(&configuration.faults) }
    }

    @Test(arguments: [500, 503, 504])
    func injectedStatusAnswersInsteadOfDoingTheWork(status: Int) async throws {
        try await withSandbox(Self.faults { $0.statusProbabilities = [status: 1] }) { server, client in
            let error = try await #require(throws: NylasError.self) { try await client.authenticateGoogle("ada@example.com") }
            #expect(error.code == .api)
            #expect(error.status == status)
            #expect(error.outcomeUnknown)
            #expect(error.requestID?.isEmpty == false)
            let stats = await server.state.stats()
            #expect(stats.faultsInjected[String(status)] == 1)
            #expect(stats.count("POST", "/v3/connect/custom", status: status) == 1)
            // The injected answer replaced the work: no grant exists.
            #expect(stats.creationsByEmail.isEmpty)
            #expect(stats.grants == 0)
        }
    }

    @Test func htmlIsA502PageAndNoGrant() async throws {
        try await withSandbox(Self.faults { $0.html = 1 }) { server, client in
            let error = try await #require(throws: NylasError.self) { try await client.authenticateGoogle("ada@example.com") }
            #expect(error.code == .unreadableBody)
            #expect(error.status == 502)
            #expect(error.outcomeUnknown)
            let stats = await server.state.stats()
            #expect(stats.faultsInjected["html"] == 1)
            #expect(stats.grants == 0)
        }
    }

    @Test func emptyIsA500WithoutBodyAndNoGrant() async throws {
        try await withSandbox(Self.faults { $0.empty = 1 }) { server, client in
            let error = try await #require(throws: NylasError.self) { try await client.listGrants() }
            #expect(error.code == .unreadableBody)
            #expect(error.status == 500)
            #expect(error.message.contains("empty body"))
            #expect(await server.state.stats().faultsInjected["empty"] == 1)
        }
    }

    @Test func dropDoesTheWorkThenLosesTheAnswer() async throws {
        try await withSandbox(Self.faults { $0.drop = 1 }) { server, client in
            let error = try await #require(throws: NylasError.self) { try await client.authenticateGoogle("ada@example.com") }
            #expect(error.code == .transport)
            #expect(error.status == nil)
            #expect(error.outcomeUnknown)
            let stats = await server.state.stats()
            #expect(stats.creationsByEmail["ada@example.com"] == 1)
            #expect(stats.faultsInjected["drop"] == 1)
            #expect(stats.count("POST", "/v3/connect/custom", status: 0) == 1)
            #expect(await server.state.allGrants().map(\.email) == ["ada@example.com"])

            // Once the network heals, the grant is there to be found, and a retry re-uses it.
            await server.state.setFaults(FaultPlan())
            let found = try await client.listGrants(GrantQuery(email: "ada@example.com", provider: .google)).data
            #expect(found.count == 1)
            let retried = try await client.authenticateGoogle("ada@example.com").data
            #expect(retried.id == found.first?.id)
            #expect(await server.state.stats().creationsByEmail["ada@example.com"] == 1)
        }
    }

    @Test func droppedGetHasAKnownOutcome() async throws {
        try await withSandbox(Self.faults { $0.drop = 1 }) { _, client in
            let error = try await #require(throws: NylasError.self) { try await client.listGrants() }
            #expect(error.code == .transport)
            // A read changes nothing, so there is nothing unknown about it.
            #expect(!error.outcomeUnknown)
        }
    }

    @Test func hangOutlastsTheClientTimeoutAfterTheGrantWasCreated() async throws {
        // On a loaded machine the server may reach the work after the client gave up: wait for
        // the creation event rather than for a time.
        let (created, createdSignal) = AsyncStream<Void>.makeStream()
        let configuration = sandboxConfiguration {
            $0.faults.hang = 1
            $0.faults.hangSeconds = 3
            $0.observer = { event in
                if case .grantCreated = event { createdSignal.yield() }
            }
        }
        try await withSandbox(configuration, requestTimeout: 1) { server, client in
            let started = ContinuousClock.now
            let error = try await #require(throws: NylasError.self) { try await client.authenticateGoogle("ada@example.com") }
            let elapsed = ContinuousClock.now - started
            #expect(error.code == .timeout)
            #expect(error.outcomeUnknown)
            #expect(elapsed >= .milliseconds(900))
            var events = created.makeAsyncIterator()
            _ = await events.next()
            let stats = await server.state.stats()
            #expect(stats.creationsByEmail["ada@example.com"] == 1)
            #expect(stats.faultsInjected["hang"] == 1)
        }
    }

    @Test func latencyDelaysEveryAnswerByAtLeastTheMinimum() async throws {
        try await withSandbox(Self.faults { $0.latencyMs = 300...350 }) { _, client in
            let started = ContinuousClock.now
            _ = try await client.listGrants()
            #expect(ContinuousClock.now - started >= .milliseconds(300))

            let postStarted = ContinuousClock.now
            _ = try await client.authenticateGoogle("ada@example.com")
            #expect(ContinuousClock.now - postStarted >= .milliseconds(300))
        }
    }

    @Test func latencyAlsoDelaysInjectedFaults() async throws {
        let configuration = Self.faults {
            $0.latencyMs = 250...250
            $0.statusProbabilities = [500: 1]
        }
        try await withSandbox(configuration) { _, client in
            let started = ContinuousClock.now
            await #expect(throws: NylasError.self) { try await client.listGrants() }
            #expect(ContinuousClock.now - started >= .milliseconds(250))
        }
    }

    @Test func rejectedDomainIsAnUnknownUserOfTheProvider() async throws {
        let configuration = sandboxConfiguration { $0.rejectedDomains = ["contractors.example"] }
        try await withSandbox(configuration) { server, client in
            let error = try await #require(throws: NylasError.self) {
                try await client.authenticateGoogle("temp@contractors.example")
            }
            #expect(error.code == .api)
            // Wrapped as the default envelope says: the provider's status and its OAuth error.
            #expect(error.status == 400)
            #expect(error.type == "api.provider_error")
            let providerError = try #require(error.providerError)
            #expect(providerError["error"]?.stringValue == "invalid_grant")
            #expect(providerError["error_description"]?.stringValue == "Invalid email or User ID")
            #expect(error.description.contains("provider: "))
            #expect(!error.outcomeUnknown)

            // Microsoft users of the domain are rejected too, with Graph's wording.
            let microsoft = try await #require(throws: NylasError.self) {
                try await client.customAuthentication(
                    .bulk(provider: .microsoft, credentialID: Seed.microsoft, email: "temp@contractors.example", scopes: []))
            }
            #expect(microsoft.providerError?["error"]?["code"]?.stringValue == "ErrorInvalidUser")

            // Other domains are not affected, and the list can change at run time.
            _ = try await client.authenticateGoogle("staff@example.com")
            await server.state.setRejectedDomains(["example.com"])
            await #expect(throws: NylasError.self) { try await client.authenticateGoogle("new@example.com") }
            #expect(await server.state.stats().creationsByEmail == ["staff@example.com": 1])
        }
    }

    @Test func invalidShareOfOneCreatesInvalidGrants() async throws {
        let configuration = sandboxConfiguration { $0.invalidShare = 1 }
        try await withSandbox(configuration) { _, client in
            let grant = try await client.authenticateGoogle("ada@example.com").data
            #expect(grant.grantStatus == "invalid")
            #expect(!grant.isValid)
            let invalid = try await client.listGrants(GrantQuery(grantStatus: "invalid")).data
            #expect(invalid.map(\.id) == [grant.id])
            #expect(try await client.listGrants(GrantQuery(grantStatus: "valid")).data.isEmpty)
            // Re-authentication repairs it, as a fresh token would.
            let repaired = try await client.authenticateGoogle("ada@example.com").data
            #expect(repaired.id == grant.id)
            #expect(repaired.isValid)
        }
    }

    @Test func throttleBurstAnswers429WithTheRestOfTheWindowAsRetryAfter() async throws {
        let configuration = Self.faults { $0.throttleBurst = .init(every: 3600, duration: 3600) }
        try await withSandbox(configuration) { server, client in
            let error = try await #require(throws: NylasError.self) { try await client.authenticateGoogle("ada@example.com") }
            #expect(error.isRateLimited)
            let retryAfter = try #require(error.retryAfter)
            #expect(retryAfter > 3500 && retryAfter <= 3600)
            var stats = await server.state.stats()
            #expect(stats.faultsInjected["429-burst"] == 1)
            #expect(stats.rateLimited == 1)
            #expect(stats.grants == 0)

            await server.state.setFaults(FaultPlan())
            _ = try await client.authenticateGoogle("ada@example.com")
            stats = await server.state.stats()
            #expect(stats.creationsByEmail["ada@example.com"] == 1)
        }
    }

    @Test func faultsCanBeSwitchedOnHalfWay() async throws {
        try await withSandbox { server, client in
            _ = try await client.authenticateGoogle("ada@example.com")
            var plan = FaultPlan()
            plan.statusProbabilities = [502: 1]
            await server.state.setFaults(plan)
            let error = try await #require(throws: NylasError.self) { try await client.authenticateGoogle("bob@example.com") }
            #expect(error.status == 502)
            #expect(await server.state.stats().creationsByEmail == ["ada@example.com": 1])
        }
    }

    @Test func sameSeedReplaysTheSameFaults() async throws {
        func outcomes(seed: UInt64) async throws -> [Int] {
            let configuration = sandboxConfiguration {
                $0.randomSeed = seed
                $0.faults.statusProbabilities = [500: 0.5]
            }
            return try await withSandbox(configuration) { _, client in
                var statuses: [Int] = []
                for _ in 0..<24 {
                    do {
                        _ = try await client.listConnectors()
                        statuses.append(200)
                    } catch let error as NylasError {
                        statuses.append(error.status ?? -1)
                    }
                }
                return statuses
            }
        }
        let first = try await outcomes(seed: 7)
        #expect(try await outcomes(seed: 7) == first)
        // Half the calls fail, give or take: both outcomes occur.
        #expect(first.contains(200) && first.contains(500))
        #expect(try await outcomes(seed: 8) != first)
    }
}
