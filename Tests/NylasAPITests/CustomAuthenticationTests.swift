import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

@Suite("POST /v3/connect/custom against the sandbox")
struct CustomAuthenticationTests {
    @Test func googleWithScopesCreatesAValidGrant() async throws {
        try await withSandbox { server, client in
            let answer = try await client.authenticateGoogle("ada@example.com")
            let grant = answer.data
            #expect(answer.requestId?.isEmpty == false)
            #expect(!grant.id.isEmpty)
            #expect(grant.provider == "google")
            #expect(grant.email == "ada@example.com")
            #expect(grant.isValid)
            #expect(grant.scope == Seed.scopes)
            #expect(grant.settings?["credential_id"]?.stringValue == Seed.google)
            #expect(try await client.getGrant(id: grant.id) == grant)
            #expect(await server.state.stats().creationsByEmail == ["ada@example.com": 1])
        }
    }

    @Test func googleWithoutScopesIsA400AndCreatesNothing() async throws {
        try await withSandbox { server, client in
            let error = try await #require(throws: NylasError.self) {
                try await client.authenticateGoogle("ada@example.com", scopes: [])
            }
            #expect(error.status == 400)
            #expect(error.type == "api.invalid_request_error")
            #expect(error.message.contains("scopes"))
            #expect(error.requestID?.isEmpty == false)
            #expect(!error.outcomeUnknown)
            #expect(await server.state.stats().grants == 0)
        }
    }

    @Test func microsoftWithoutScopesCreatesAGrant() async throws {
        let request = CustomAuthRequest.bulk(
            provider: .microsoft, credentialID: Seed.microsoft, email: "grace@contoso.com", scopes: Seed.scopes)
        // The bulk request leaves scopes out for Microsoft: they come from the Azure app.
        #expect(request.settings.scopes == nil)
        let json = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        #expect(!json.contains("scopes"))
        try await withSandbox { server, client in
            let grant = try await client.customAuthentication(request).data
            #expect(grant.provider == "microsoft")
            #expect(grant.email == "grace@contoso.com")
            #expect(grant.isValid)
            #expect(await server.state.stats().creationsByEmail == ["grace@contoso.com": 1])
        }
    }

    @Test func credentialOfTheOtherProviderIsNotFound() async throws {
        try await withSandbox { _, client in
            let error = try await #require(throws: NylasError.self) {
                try await client.customAuthentication(
                    .bulk(provider: .microsoft, credentialID: Seed.google, email: "grace@contoso.com", scopes: []))
            }
            // Credentials belong to one provider's connector.
            #expect(error.status == 404)
            #expect(error.type == "api.not_found_error")
            #expect(error.requestID?.isEmpty == false)
        }
    }

    @Test func unknownCredentialAnswersTheErrorEnvelope() async throws {
        try await withSandbox { server, client in
            let error = try await #require(throws: NylasError.self) {
                try await client.customAuthentication(
                    .bulk(provider: .google, credentialID: "no-such-credential", email: "ada@example.com", scopes: Seed.scopes))
            }
            #expect(error.code == .api)
            #expect(error.status == 404)
            #expect(error.type == "api.not_found_error")
            #expect(error.message.contains("no-such-credential"))
            #expect(error.requestID?.isEmpty == false)
            #expect(error.call == "POST /v3/connect/custom")
            #expect(!error.outcomeUnknown)
            #expect(error.description.contains("api.not_found_error"))
            #expect(error.description.contains(error.requestID!))
            #expect(await server.state.stats().grants == 0)
        }
    }

    @Test func sameUserTwiceReauthenticatesTheSameGrant() async throws {
        try await withSandbox { server, client in
            let first = try await client.authenticateGoogle("ada@example.com").data
            let second = try await client.authenticateGoogle("ada@example.com").data
            #expect(second.id == first.id)
            let stats = await server.state.stats()
            #expect(stats.creationsByEmail["ada@example.com"] == 1)
            #expect(stats.reauthsByEmail["ada@example.com"] == 1)
            #expect(stats.grants == 1)
            #expect(stats.count("POST", "/v3/connect/custom", status: 201) == 1)
            #expect(stats.count("POST", "/v3/connect/custom", status: 200) == 1)
        }
    }

    @Test func sameEmailWithTheOtherProviderIsASeparateGrant() async throws {
        try await withSandbox { server, client in
            let google = try await client.authenticateGoogle("ada@example.com").data
            let microsoft = try await client.customAuthentication(
                .bulk(provider: .microsoft, credentialID: Seed.microsoft, email: "ada@example.com", scopes: [])
            ).data
            #expect(google.id != microsoft.id)
            #expect(await server.state.stats().creationsByEmail["ada@example.com"] == 2)
        }
    }

    @Test func afterDeletingTheGrantCustomAuthCreatesANewId() async throws {
        try await withSandbox { server, client in
            let first = try await client.authenticateGoogle("ada@example.com").data
            let deleted = try await client.deleteGrant(id: first.id)
            #expect(deleted.requestId?.isEmpty == false)
            let gone = try await #require(throws: NylasError.self) { try await client.getGrant(id: first.id) }
            #expect(gone.status == 404)
            #expect(gone.type == "grant.not_found")

            let second = try await client.authenticateGoogle("ada@example.com").data
            #expect(second.id != first.id)
            let stats = await server.state.stats()
            #expect(stats.creationsByEmail["ada@example.com"] == 2)
            #expect(stats.reauthsByEmail["ada@example.com"] == nil)
            #expect(stats.deletionsByEmail["ada@example.com"] == 1)
            #expect(stats.grants == 1)

            let again = try await #require(throws: NylasError.self) { try await client.deleteGrant(id: first.id) }
            #expect(again.status == 404)
            #expect(again.call == "DELETE /v3/grants/{grantId}")
        }
    }

    @Test func malformedEmailIsA400() async throws {
        try await withSandbox { _, client in
            let error = try await #require(throws: NylasError.self) {
                try await client.authenticateGoogle("not-an-address")
            }
            #expect(error.status == 400)
            #expect(error.message.contains("email_address"))
        }
    }
}
