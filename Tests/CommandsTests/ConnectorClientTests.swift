import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

@Suite("NylasClient connector calls against the sandbox")
struct ConnectorClientTests {
    static func request(_ provider: Provider = .google, id: String = "abc", secret: String = "s3cr3t") -> CreateConnectorRequest {
        CreateConnectorRequest(
            provider: provider, settings: .init(clientId: id, clientSecret: secret),
            scope: ["https://www.googleapis.com/auth/calendar"])
    }

    @Test func getConnectorReturnsTheProvidersConnectorOr404() async throws {
        try await withSandbox(sandboxConfiguration { $0.connectors = [.google] }) { _, client in
            let answer = try await client.getConnector(provider: .google)
            #expect(answer.data.provider == "google")
            #expect(answer.requestId?.isEmpty == false)
            let error = await #expect(throws: NylasError.self) { try await client.getConnector(provider: .microsoft) }
            #expect(error?.status == 404)
            #expect(error?.type == "api.not_found_error")
            #expect(error?.requestID?.isEmpty == false)
            #expect(error?.call == "GET /v3/connectors/{provider}")
        }
    }

    @Test func createConnectorAnswers201WithTheConnectorAndKeepsTheSecretOut() async throws {
        try await withSandbox(sandboxConfiguration { $0.connectors = [] }) { server, client in
            let answer = try await client.createConnector(Self.request())
            #expect(answer.data.provider == "google")
            #expect(answer.data.scope == ["https://www.googleapis.com/auth/calendar"])
            #expect(answer.data.settings?["client_id"]?.stringValue == "abc")
            #expect(answer.data.settings?["client_secret"] == nil)
            #expect(await server.state.stats().count("POST", "/v3/connectors", status: 201) == 1)
            #expect(try await client.getConnector(provider: .google).data == answer.data)
            #expect(try await client.listConnectors().data.map(\.provider) == ["google"])
        }
    }

    @Test func createConnectorIsRefusedWhenTheProviderHasOne() async throws {
        try await withSandbox { _, client in
            let error = await #expect(throws: NylasError.self) { try await client.createConnector(Self.request()) }
            #expect(error?.status == 400)
            #expect(error?.message.contains("already exists") == true)
        }
    }

    @Test(arguments: ["client_id", "client_secret"])
    func createConnectorNeedsClientIDAndSecret(field: String) async throws {
        try await withSandbox(sandboxConfiguration { $0.connectors = [] }) { _, client in
            let request = field == "client_id" ? Self.request(id: "") : Self.request(secret: "")
            let error = await #expect(throws: NylasError.self) { try await client.createConnector(request) }
            #expect(error?.status == 400)
            #expect(error?.message.contains(field) == true)
            #expect(error?.message.contains("s3cr3t") == false)
        }
    }

    @Test func theCreateRequestEncodesNylasFieldsAndNeverDescribesTheSecret() throws {
        let request = CreateConnectorRequest(
            provider: .microsoft, settings: .init(clientId: "abc", clientSecret: "s3cr3t", tenant: "common"))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(request)) as? [String: Any]
        #expect(json?["provider"] as? String == "microsoft")
        #expect(json?["scope"] == nil)
        #expect(json?["settings"] as? [String: String] == ["client_id": "abc", "client_secret": "s3cr3t", "tenant": "common"])
        #expect(!String(describing: request).contains("s3cr3t"))
    }
}
