import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

/// Collects sandbox events from the request tasks.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [SandboxEvent] = []

    func append(_ event: SandboxEvent) {
        lock.lock()
        defer { lock.unlock() }
        events.append(event)
    }

    var all: [SandboxEvent] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }
}

@Suite("Sandbox server and state")
struct SandboxServerTests {
    @Test func startBindsAnEphemeralLoopbackPortAndStopReleasesIt() async throws {
        let server = try await SandboxServer.start(sandboxConfiguration(), logger: quietLogger)
        #expect(server.port > 0)
        #expect(server.baseURI == "http://127.0.0.1:\(server.port)")
        let answer = try await raw("GET", server.baseURI + "/__sandbox/stats")
        #expect(answer.status == 200)
        await server.stop()
        await #expect(throws: (any Error).self) { try await raw("GET", server.baseURI + "/__sandbox/stats") }
    }

    @Test func twoSandboxesRunSideBySideWithSeparateState() async throws {
        try await withSandbox { first, firstClient in
            try await withSandbox { second, secondClient in
                #expect(first.port != second.port)
                _ = try await firstClient.authenticateGoogle("ada@example.com")
                #expect(try await secondClient.listGrants().data.isEmpty)
                #expect(await second.state.stats().grants == 0)
            }
        }
    }

    @Test func concurrentAuthenticationsOfOneUserCreateOneGrant() async throws {
        try await withSandbox { server, client in
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<12 {
                    group.addTask { try await client.authenticateGoogle("ada@example.com").data.id }
                }
                var ids: [String] = []
                for try await id in group { ids.append(id) }
                return ids
            }
            #expect(ids.count == 12)
            #expect(Set(ids).count == 1)
            let stats = await server.state.stats()
            #expect(stats.creationsByEmail["ada@example.com"] == 1)
            #expect(stats.reauthsByEmail["ada@example.com"] == 11)
        }
    }

    @Test func emailsAreMatchedWithoutRegardToCase() async throws {
        try await withSandbox { server, client in
            let first = try await client.authenticateGoogle("Ada@Example.COM").data
            #expect(first.email == "ada@example.com")
            let second = try await client.authenticateGoogle("ada@example.com").data
            #expect(second.id == first.id)
            #expect(await server.state.stats().creationsByEmail == ["ada@example.com": 1])
        }
    }

    @Test func observerSeesCreationsReauthenticationsAndAnswers() async throws {
        let log = EventLog()
        let configuration = sandboxConfiguration { $0.observer = { log.append($0) } }
        try await withSandbox(configuration) { _, client in
            _ = try await client.authenticateGoogle("ada@example.com")
            _ = try await client.authenticateGoogle("bob@example.com")
            _ = try await client.authenticateGoogle("ada@example.com")
        }
        let events = log.all
        #expect(events.contains(.grantCreated(email: "ada@example.com", total: 1)))
        #expect(events.contains(.grantCreated(email: "bob@example.com", total: 2)))
        #expect(events.contains(.grantReauthenticated(email: "ada@example.com")))
        #expect(events.filter { $0 == .answered(method: "POST", path: "/v3/connect/custom", status: 201) }.count == 2)
        #expect(events.filter { $0 == .answered(method: "POST", path: "/v3/connect/custom", status: 200) }.count == 1)
    }

    @Test func seededCredentialsAreUsableAndRemovable() async throws {
        try await withSandbox { server, client in
            let credential = try await client.getCredential(provider: .google, id: Seed.google)
            #expect(credential.credentialType == .serviceAccount)
            await server.state.removeCredential(provider: .google, id: Seed.google)
            let error = try await #require(throws: NylasError.self) { try await client.authenticateGoogle("ada@example.com") }
            #expect(error.status == 404)
        }
    }

    @Test func allGrantsListsLiveGrantsOldestFirst() async throws {
        try await withSandbox { server, client in
            let a = try await client.authenticateGoogle("a@example.com").data
            let b = try await client.authenticateGoogle("b@example.com").data
            let c = try await client.authenticateGoogle("c@example.com").data
            try await client.deleteGrant(id: b.id)
            #expect(await server.state.allGrants().map(\.id) == [a.id, c.id])
            #expect(await server.state.stats().grants == 2)
        }
    }
}
