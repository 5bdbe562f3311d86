import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

@Suite("GET /v3/grants against the sandbox")
struct GrantListTests {
    /// Five grants: two Google (one invalid), two Microsoft, one Google with a `+` address.
    private func seed(_ state: SandboxState) async -> [String: Grant] {
        var grants: [String: Grant] = [:]
        grants["ada"] = await state.seedGrant(provider: .google, email: "ada@example.com")
        grants["bob"] = await state.seedGrant(provider: .google, email: "bob@example.com", status: "invalid")
        grants["ada-ms"] = await state.seedGrant(provider: .microsoft, email: "ada@example.com")
        grants["cy"] = await state.seedGrant(provider: .microsoft, email: "cy@contoso.com")
        grants["tag"] = await state.seedGrant(provider: .google, email: "dee+hr@example.com")
        return grants
    }

    @Test func filtersByEmail() async throws {
        try await withSandbox { server, client in
            let grants = await seed(server.state)
            let ada = try await client.listGrants(GrantQuery(email: "ada@example.com"))
            #expect(Set(ada.data.map(\.id)) == [grants["ada"]!.id, grants["ada-ms"]!.id])
            // `+` and `@` are percent-encoded by the client and decoded by the server.
            let tagged = try await client.listGrants(GrantQuery(email: "dee+hr@example.com"))
            #expect(tagged.data.map(\.id) == [grants["tag"]!.id])
            #expect(try await client.listGrants(GrantQuery(email: "nobody@example.com")).data.isEmpty)
        }
    }

    @Test func filtersByEmailAndProvider() async throws {
        try await withSandbox { server, client in
            let grants = await seed(server.state)
            let page = try await client.listGrants(GrantQuery(email: "ada@example.com", provider: .microsoft))
            #expect(page.data.map(\.id) == [grants["ada-ms"]!.id])
            let google = try await client.listGrants(GrantQuery(provider: .google))
            #expect(Set(google.data.map(\.id)) == [grants["ada"]!.id, grants["bob"]!.id, grants["tag"]!.id])
            #expect(google.data.allSatisfy { $0.provider == "google" })
        }
    }

    @Test func filtersByGrantStatus() async throws {
        try await withSandbox { server, client in
            let grants = await seed(server.state)
            let invalid = try await client.listGrants(GrantQuery(grantStatus: "invalid"))
            #expect(invalid.data.map(\.id) == [grants["bob"]!.id])
            #expect(invalid.data.allSatisfy { !$0.isValid })
            let valid = try await client.listGrants(GrantQuery(grantStatus: "valid"))
            #expect(valid.data.count == 4)
            #expect(valid.data.allSatisfy { $0.isValid })
            // Invalidating through the sandbox's control moves a grant between the two.
            #expect(await server.state.invalidate(emails: ["cy@contoso.com"]) == 1)
            let nowInvalid = try await client.listGrants(GrantQuery(grantStatus: "invalid"))
            #expect(Set(nowInvalid.data.map(\.id)) == [grants["bob"]!.id, grants["cy"]!.id])
        }
    }

    @Test func listEnvelopeEchoesLimitAndOffset() async throws {
        try await withSandbox { server, client in
            _ = await seed(server.state)
            let page = try await client.listGrants(limit: 2, offset: 3)
            #expect(page.data.count == 2)
            #expect(page.limit == 2)
            #expect(page.offset == 3)
            #expect(page.requestId?.isEmpty == false)
            // The client caps limit at Nylas's maximum of 200.
            let capped = try await client.listGrants(limit: 5000)
            #expect(capped.limit == 200)
        }
    }

    @Test func pagerYields450SeededGrantsExactlyOnceIn3Calls() async throws {
        try await withSandbox { server, client in
            var seeded: Set<String> = []
            for index in 0..<450 {
                seeded.insert(await server.state.seedGrant(provider: .google, email: "user\(index)@example.com").id)
            }
            var ids: [String] = []
            for try await grant in client.grants(pageSize: 200) {
                ids.append(grant.id)
            }
            #expect(ids.count == 450)
            #expect(Set(ids) == seeded)
            // 200 + 200 + 50: the short page ends the walk without a fourth call.
            #expect(await server.state.stats().count("GET", "/v3/grants") == 3)
        }
    }

    @Test func pagerWithAFilterWalksOnlyTheMatchingGrants() async throws {
        try await withSandbox { server, client in
            var microsoft: Set<String> = []
            for index in 0..<30 {
                let provider: Provider = index.isMultiple(of: 3) ? .microsoft : .google
                let grant = await server.state.seedGrant(provider: provider, email: "u\(index)@example.com")
                if provider == .microsoft { microsoft.insert(grant.id) }
            }
            var ids: [String] = []
            for try await grant in client.grants(GrantQuery(provider: .microsoft), pageSize: 4) {
                ids.append(grant.id)
            }
            #expect(ids.count == 10)
            #expect(Set(ids) == microsoft)
            // 4 + 4 + 2.
            #expect(await server.state.stats().count("GET", "/v3/grants") == 3)
        }
    }
}
