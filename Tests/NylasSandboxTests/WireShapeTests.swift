import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

/// The bytes on the wire, read without `NylasClient`: the shapes of the OpenAPI subset, and the
/// exact requests Nylas's official Python SDK sends.
@Suite("Sandbox wire format")
struct WireShapeTests {
    /// What nylas-python 6.18 sends: no Accept, `Content-type` only with a body.
    private static func sdkHeaders(_ key: String, body: Bool) -> [String: String] {
        var headers = [
            "Authorization": "Bearer \(key)",
            "User-Agent": "Nylas Python SDK 6.18.0 - 3.11.7",
            "X-Nylas-API-Wrapper": "python",
        ]
        if body { headers["Content-type"] = "application/json" }
        return headers
    }

    private static func customAuthBody(_ email: String) -> Data {
        let body: [String: Any] = [
            "provider": "google",
            "settings": ["credential_id": Seed.google, "email_address": email, "scopes": Seed.scopes],
        ]
        return try! JSONSerialization.data(withJSONObject: body)
    }

    @Test func customAuthAnswers201WithRequestIdAndAGrantObject() async throws {
        let configuration = sandboxConfiguration()
        try await withSandbox(configuration) { server, _ in
            let answer = try await raw(
                "POST", server.baseURI + "/v3/connect/custom", headers: Self.sdkHeaders(configuration.apiKey, body: true),
                body: Self.customAuthBody("ada@example.com"))
            #expect(answer.status == 201)
            #expect(answer.headers["content-type"] == "application/json")
            let object = try answer.object()
            #expect(Set(object.keys) == ["request_id", "data"])
            #expect((object["request_id"] as? String)?.isEmpty == false)
            let grant = try #require(object["data"] as? [String: Any])
            // GrantObject's required fields, and the ones bulkgrant reads.
            for field in ["id", "provider", "scope", "created_at", "email", "grant_status", "settings", "updated_at"] {
                #expect(grant[field] != nil, "grant lacks \(field)")
            }
            #expect(grant["created_at"] is Int)
            #expect(grant["scope"] as? [String] == Seed.scopes)
            #expect((grant["settings"] as? [String: Any])?["credential_id"] as? String == Seed.google)
        }
    }

    @Test func listGrantsWithAPercentEncodedEmailHasTheListEnvelope() async throws {
        let configuration = sandboxConfiguration()
        try await withSandbox(configuration) { server, client in
            let grant = try await client.authenticateGoogle("dee+hr@example.com").data
            _ = await server.state.seedGrant(provider: .google, email: "other@example.com")
            let answer = try await raw(
                "GET", server.baseURI + "/v3/grants?email=dee%2Bhr%40example.com&limit=5&offset=0",
                headers: Self.sdkHeaders(configuration.apiKey, body: false))
            #expect(answer.status == 200)
            let object = try answer.object()
            #expect(Set(object.keys) == ["request_id", "data", "limit", "offset"])
            #expect(object["limit"] as? Int == 5)
            #expect(object["offset"] as? Int == 0)
            let data = try #require(object["data"] as? [[String: Any]])
            #expect(data.map { $0["id"] as? String } == [grant.id])
        }
    }

    @Test func listGrantsDefaultsToLimit10() async throws {
        let configuration = sandboxConfiguration()
        try await withSandbox(configuration) { server, _ in
            for index in 0..<12 { _ = await server.state.seedGrant(provider: .google, email: "u\(index)@example.com") }
            let answer = try await raw(
                "GET", server.baseURI + "/v3/grants", headers: Self.sdkHeaders(configuration.apiKey, body: false))
            let object = try answer.object()
            #expect(object["limit"] as? Int == 10)
            #expect((object["data"] as? [Any])?.count == 10)
        }
    }

    @Test func connectorsListHasNameAndProviderPerItem() async throws {
        let configuration = sandboxConfiguration()
        try await withSandbox(configuration) { server, _ in
            let answer = try await raw(
                "GET", server.baseURI + "/v3/connectors", headers: Self.sdkHeaders(configuration.apiKey, body: false))
            #expect(answer.status == 200)
            let object = try answer.object()
            #expect(Set(object.keys) == ["request_id", "data", "limit", "offset"])
            let data = try #require(object["data"] as? [[String: Any]])
            #expect(data.count == 2)
            for connector in data {
                #expect(connector["name"] is String)
                #expect(connector["provider"] is String)
            }
        }
    }

    @Test func errorsUseTheEnvelope() async throws {
        let configuration = sandboxConfiguration()
        try await withSandbox(configuration) { server, _ in
            let key = configuration.apiKey
            let notFound = try await raw(
                "GET", server.baseURI + "/v3/grants/nope", headers: Self.sdkHeaders(key, body: false))
            #expect(notFound.status == 404)
            let object = try notFound.object()
            #expect(Set(object.keys) == ["request_id", "error"])
            let error = try #require(object["error"] as? [String: Any])
            #expect(error["type"] as? String == "grant.not_found")
            #expect(error["message"] is String)

            let unauthorized = try await raw("GET", server.baseURI + "/v3/grants", headers: [:])
            #expect(unauthorized.status == 401)
            #expect(try (unauthorized.object()["error"] as? [String: Any])?["type"] as? String == "api.authentication_error")

            let badBody = try await raw(
                "POST", server.baseURI + "/v3/connect/custom", headers: Self.sdkHeaders(key, body: true),
                body: Data("{not json".utf8))
            #expect(badBody.status == 400)
            #expect(try (badBody.object()["error"] as? [String: Any])?["type"] as? String == "api.invalid_request_payload")
        }
    }

    @Test func deleteWithoutBodyOrContentTypeAnswersRequestId() async throws {
        let configuration = sandboxConfiguration()
        try await withSandbox(configuration) { server, client in
            let grant = try await client.authenticateGoogle("ada@example.com").data
            let answer = try await raw(
                "DELETE", server.baseURI + "/v3/grants/\(grant.id)",
                headers: Self.sdkHeaders(configuration.apiKey, body: false))
            #expect(answer.status == 200)
            let object = try answer.object()
            #expect(Set(object.keys) == ["request_id"])
            #expect(await server.state.stats().deletionsByEmail == ["ada@example.com": 1])
        }
    }

    @Test func statsEndpointServesTheCountersAsSnakeCaseJSON() async throws {
        try await withSandbox { server, client in
            _ = try await client.authenticateGoogle("ada@example.com")
            _ = try await client.authenticateGoogle("ada@example.com")
            // No key needed: it is the sandbox's own introspection, not a Nylas path.
            let answer = try await raw("GET", server.baseURI + "/__sandbox/stats")
            #expect(answer.status == 200)
            let keys = Set(try answer.object().keys)
            #expect(
                keys == [
                    "calls", "creations_by_email", "reauths_by_email", "deletions_by_email", "rate_limited",
                    "faults_injected", "refusals", "grants",
                ])
            let stats = try JSONDecoder().decode(SandboxStats.self, from: answer.body)
            #expect(stats == (await server.state.stats()))
            #expect(stats.creationsByEmail == ["ada@example.com": 1])
            #expect(stats.reauthsByEmail == ["ada@example.com": 1])
            #expect(stats.count("POST", "/v3/connect/custom") == 2)
        }
    }
}
