import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

@Suite("Connectors and credentials against the sandbox")
struct ConnectorCredentialTests {
    @Test func listConnectorsReturnsBothProvidersWithTheListEnvelope() async throws {
        try await withSandbox { _, client in
            let page = try await client.listConnectors()
            #expect(Set(page.data.map(\.provider)) == ["google", "microsoft"])
            #expect(page.requestId?.isEmpty == false)
            #expect(page.limit == 50)
            #expect(page.offset == 0)
        }
    }

    @Test func connectorPagerWalksOnePerPageAndStopsAtTheShortPage() async throws {
        try await withSandbox { server, client in
            var providers: [String] = []
            for try await connector in client.connectors(pageSize: 1) {
                providers.append(connector.provider)
            }
            #expect(providers.sorted() == ["google", "microsoft"])
            // Pages of 1, 1, then an empty one that ends the walk.
            #expect(await server.state.stats().count("GET", "/v3/connectors") == 3)
        }
    }

    @Test func createsAGoogleServiceAccountCredential() async throws {
        try await withSandbox { _, client in
            let credential = try await client.createCredential(
                provider: .google,
                .init(name: "workspace sa", credentialType: .serviceAccount, credentialData: serviceAccountData()))
            #expect(!credential.id.isEmpty)
            #expect(credential.name == "workspace sa")
            #expect(credential.credentialType == .serviceAccount)
            #expect(credential.createdAt != nil)
            let fetched = try await client.getCredential(provider: .google, id: credential.id)
            #expect(fetched == credential)
        }
    }

    @Test func createsAMicrosoftAdminConsentCredential() async throws {
        try await withSandbox { _, client in
            let credential = try await client.createCredential(
                provider: .microsoft,
                .init(
                    name: "azure admin consent", credentialType: .adminConsent,
                    credentialData: ["client_id": "2f70abcd", "client_secret": "s3cret", "tenant": "common"]))
            #expect(credential.credentialType == .adminConsent)
            #expect(try await client.getCredential(provider: .microsoft, id: credential.id).name == "azure admin consent")
        }
    }

    @Test(arguments: ["client_id", "client_secret", "tenant"])
    func adminConsentNeedsTheTenantAndTheClientIDWithItsSecret(field: String) async throws {
        // The tenant always; client_id and client_secret together, or neither (the connector's app).
        try await withSandbox { _, client in
            var data = ["client_id": "app", "client_secret": "s3cret", "tenant": "contoso.onmicrosoft.com"]
            data.removeValue(forKey: field)
            let error = try await #require(throws: NylasError.self) {
                try await client.createCredential(
                    provider: .microsoft, .init(name: "missing \(field)", credentialType: .adminConsent, credentialData: data))
            }
            #expect(error.status == 400)
            #expect(error.message.contains(field))
        }
    }

    @Test func anAdminConsentCredentialWithOnlyATenantUsesTheConnectorsApp() async throws {
        try await withSandbox { server, client in
            let credential = try await client.createCredential(
                provider: .microsoft,
                .init(name: "via connector", credentialType: .adminConsent, credentialData: ["tenant": "common"]))
            #expect(await server.state.credentialData(provider: .microsoft, id: credential.id) == ["tenant": "common"])
            let grant = try await client.customAuthentication(
                .bulk(provider: .microsoft, credentialID: credential.id, email: "ada@acme.example", scopes: []))
            #expect(grant.data.email == "ada@acme.example")
        }
    }

    @Test func updateReplacesCredentialDataWholeAndMovesUpdatedAtOn() async throws {
        try await withSandbox { server, client in
            let created = try await client.createCredential(
                provider: .google, .init(name: "sa", credentialType: .serviceAccount, credentialData: serviceAccountData(keyID: "old")))
            await server.state.setCredentialTimes(provider: .google, id: created.id, createdAt: 1_000, updatedAt: 2_000)
            var data = serviceAccountData(keyID: "new")
            data.removeValue(forKey: "project_id")
            let updated = try await client.updateCredential(
                provider: .google, id: created.id, UpdateCredentialRequest(credentialData: data))
            #expect(updated.id == created.id)
            #expect(updated.name == "sa")
            #expect(updated.createdAt == 1_000)
            #expect((updated.updatedAt ?? 0) > 2_000)
            // Replaced whole: the field left out is gone.
            #expect(await server.state.credentialData(provider: .google, id: created.id) == data)
            #expect(try await client.getCredential(provider: .google, id: created.id) == updated)
            #expect(await server.state.stats().count("PATCH", "/v3/connectors/{provider}/creds/{id}", status: 200) == 1)

            let renamed = try await client.updateCredential(provider: .google, id: created.id, UpdateCredentialRequest(name: "renamed"))
            #expect(renamed.name == "renamed")
            #expect(await server.state.credentialData(provider: .google, id: created.id) == data, "no credential_data: kept")
        }
    }

    @Test func updateRefusesWhatCreateRefusesAndAnUnknownCredential() async throws {
        try await withSandbox { server, client in
            var data = serviceAccountData()
            data.removeValue(forKey: "private_key")
            let incomplete = try await #require(throws: NylasError.self) {
                try await client.updateCredential(provider: .google, id: Seed.google, UpdateCredentialRequest(credentialData: data))
            }
            #expect(incomplete.status == 400)
            #expect(incomplete.message.contains("credential_data is missing private_key"))
            #expect(await server.state.credentialData(provider: .google, id: Seed.google) == [:], "unchanged")

            let halfApp = try await #require(throws: NylasError.self) {
                try await client.updateCredential(
                    provider: .microsoft, id: Seed.microsoft,
                    UpdateCredentialRequest(credentialData: ["tenant": "common", "client_secret": "s3cret-value"]))
            }
            #expect(halfApp.status == 400)
            #expect(halfApp.message.contains("client_secret without client_id"))

            _ = try await client.createCredential(
                provider: .google, .init(name: "other", credentialType: .serviceAccount, credentialData: serviceAccountData()))
            let clash = try await #require(throws: NylasError.self) {
                try await client.updateCredential(provider: .google, id: Seed.google, UpdateCredentialRequest(name: "other"))
            }
            #expect(clash.status == 400)

            let missing = try await #require(throws: NylasError.self) {
                try await client.updateCredential(provider: .google, id: "nope", UpdateCredentialRequest(name: "x"))
            }
            #expect(missing.status == 404)
            #expect(missing.call == "PATCH /v3/connectors/{provider}/creds/{id}")
        }
    }

    @Test func aMicrosoftTenantRefusesASecretItDoesNotHave() async throws {
        var configuration = sandboxConfiguration()
        configuration.tenant.microsoft.acceptedSecrets = ["the-right-secret-value"]
        try await withSandbox(configuration) { server, client in
            let credential = try await client.createCredential(
                provider: .microsoft,
                .init(
                    name: "app", credentialType: .adminConsent,
                    credentialData: ["client_id": "2f70abcd", "client_secret": "the-right-secret-value", "tenant": "common"]))
            _ = try await client.customAuthentication(
                .bulk(provider: .microsoft, credentialID: credential.id, email: "ada@acme.example", scopes: []))
            _ = try await client.updateCredential(
                provider: .microsoft, id: credential.id,
                UpdateCredentialRequest(credentialData: ["client_id": "2f70abcd", "client_secret": "another-value", "tenant": "common"]))
            let refused = try await #require(throws: NylasError.self) {
                try await client.customAuthentication(
                    .bulk(provider: .microsoft, credentialID: credential.id, email: "ada@acme.example", scopes: []))
            }
            #expect("\(refused)".contains("AADSTS7000215"))
            #expect(await server.state.stats().refusals["invalid_client"] == 1)
        }
    }

    @Test(arguments: ["private_key_id", "private_key", "client_email"])
    func missingServiceAccountFieldIsA400WithTheEnvelope(field: String) async throws {
        try await withSandbox { _, client in
            var data = serviceAccountData()
            data.removeValue(forKey: field)
            let error = try await #require(throws: NylasError.self) {
                try await client.createCredential(
                    provider: .google, .init(name: "incomplete", credentialType: .serviceAccount, credentialData: data))
            }
            #expect(error.code == .api)
            #expect(error.status == 400)
            #expect(error.type == "api.invalid_request_error")
            #expect(error.message.contains(field))
            #expect(error.requestID?.isEmpty == false)
            #expect(error.call == "POST /v3/connectors/{provider}/creds")
            #expect(!error.outcomeUnknown)
        }
    }

    @Test func emptyNameAndWrongTypeForTheProviderAreRejected() async throws {
        try await withSandbox { _, client in
            let unnamed = try await #require(throws: NylasError.self) {
                try await client.createCredential(
                    provider: .google, .init(name: " ", credentialType: .serviceAccount, credentialData: serviceAccountData()))
            }
            #expect(unnamed.status == 400)
            #expect(unnamed.message.contains("name"))
            let wrongType = try await #require(throws: NylasError.self) {
                try await client.createCredential(
                    provider: .google,
                    .init(name: "consent for google", credentialType: .adminConsent, credentialData: ["tenant": "common"]))
            }
            #expect(wrongType.status == 400)
            #expect(wrongType.type == "api.invalid_request_error")
            #expect(wrongType.message.contains("adminconsent"))
        }
    }

    @Test func sameNameWithOtherDataIsAnErrorAndIdenticalParametersReuseTheCredential() async throws {
        try await withSandbox { _, client in
            let request = CreateCredentialRequest(
                name: "nightly", credentialType: .serviceAccount, credentialData: serviceAccountData(keyID: "aaa"))
            let first = try await client.createCredential(provider: .google, request)
            let again = try await client.createCredential(provider: .google, request)
            #expect(again.id == first.id)

            let clash = try await #require(throws: NylasError.self) {
                try await client.createCredential(
                    provider: .google,
                    .init(name: "nightly", credentialType: .serviceAccount, credentialData: serviceAccountData(keyID: "bbb")))
            }
            #expect(clash.status == 400)
            #expect(clash.message.contains("already exists"))
            // The clash left the first credential alone and added none.
            let all = try await client.listCredentials(provider: .google, limit: 50).data
            #expect(all.filter { $0.name == "nightly" }.count == 1)
        }
    }

    @Test func listCredentialsPagesWithLimitAndOffset() async throws {
        try await withSandbox { server, client in
            var created: Set<String> = [Seed.google]
            for index in 0..<6 {
                let credential = try await client.createCredential(
                    provider: .google,
                    .init(
                        name: "sa \(index)", credentialType: .serviceAccount,
                        credentialData: serviceAccountData(keyID: "key\(index)")))
                created.insert(credential.id)
            }
            let firstPage = try await client.listCredentials(provider: .google, limit: 3, offset: 0)
            #expect(firstPage.data.count == 3)
            #expect(firstPage.limit == 3)
            #expect(firstPage.offset == 0)
            let lastPage = try await client.listCredentials(provider: .google, limit: 3, offset: 6)
            #expect(lastPage.data.count == 1)
            #expect(lastPage.offset == 6)

            let before = await server.state.stats().count("GET", "/v3/connectors/{provider}/creds")
            var seen: [String] = []
            for try await credential in client.credentials(provider: .google, pageSize: 3) {
                seen.append(credential.id)
            }
            #expect(seen.count == 7)
            #expect(Set(seen) == created)
            // 3 + 3 + 1: the short page ends the walk.
            #expect(await server.state.stats().count("GET", "/v3/connectors/{provider}/creds") - before == 3)
            // Microsoft's list is separate.
            #expect(try await client.listCredentials(provider: .microsoft).data.map(\.id) == [Seed.microsoft])
        }
    }

    @Test func deleteThenGetIs404() async throws {
        try await withSandbox { _, client in
            let credential = try await client.createCredential(
                provider: .google,
                .init(name: "short-lived", credentialType: .serviceAccount, credentialData: serviceAccountData()))
            let deleted = try await client.deleteCredential(provider: .google, id: credential.id)
            #expect(deleted.requestId?.isEmpty == false)
            let error = try await #require(throws: NylasError.self) {
                try await client.getCredential(provider: .google, id: credential.id)
            }
            #expect(error.status == 404)
            #expect(error.type == "api.not_found_error")
            #expect(error.call == "GET /v3/connectors/{provider}/creds/{id}")
            let again = try await #require(throws: NylasError.self) {
                try await client.deleteCredential(provider: .google, id: credential.id)
            }
            #expect(again.status == 404)
        }
    }
}
