import Foundation
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

/// How the client surfaces every shape of failure a Nylas call can meet.
@Suite("Error shapes surfaced by NylasClient")
struct ErrorShapeTests {
    private static func faults(_ change: (inout FaultPlan) -> Void) -> SandboxConfiguration {
        sandboxConfiguration { configuration in change(&configuration.faults) }
    }

    @Test("a refused connection fails as refused, names the URI, and is not an unknown outcome")
    func refusedConnection() async throws {
        // A port that was just served and is now closed.
        let server = try await SandboxServer.start(sandboxConfiguration(), logger: quietLogger)
        let uri = server.baseURI
        await server.stop()
        var configuration = NylasClientConfiguration(endpoint: try APIEndpoint(uri), apiKey: APIKey("k"))
        configuration.requestTimeout = 5
        let client = NylasClient(configuration: configuration, logger: quietLogger)
        defer { Task { try? await client.shutdown() } }
        let error = try await #require(throws: NylasError.self) { try await client.authenticateGoogle("ada@example.com") }
        #expect(error.code == .transport, "\(error)")
        #expect(error.message.contains("\(uri) refused"), "\(error)")
        #expect(!error.outcomeUnknown, "a refused connection never reached the server")
    }

    @Test func wrongKeyIs401AuthenticationFailureAndTheKeyNeverShows() async throws {
        let wrongKey = "nyk_v0_WRONGKEY_\(UUID().uuidString)"
        try await withSandbox(apiKey: wrongKey) { server, client in
            let error = try await #require(throws: NylasError.self) { try await client.listGrants() }
            #expect(error.code == .api)
            #expect(error.status == 401)
            #expect(error.type == "api.authentication_error")
            #expect(error.isAuthenticationFailure)
            #expect(!error.isRateLimited)
            #expect(error.requestID?.isEmpty == false)
            #expect(!error.description.contains(wrongKey))
            #expect(!error.message.contains(wrongKey))
            #expect(!String(reflecting: error).contains(wrongKey))
            #expect(!"\(client.configuration.apiKey)".contains(wrongKey))

            // The same key over a POST: still 401, and nothing was created.
            let post = try await #require(throws: NylasError.self) { try await client.authenticateGoogle("ada@example.com") }
            #expect(post.isAuthenticationFailure)
            #expect(!post.description.contains(wrongKey))
            #expect(await server.state.stats().grants == 0)
        }
    }

    @Test func keyEchoedBackByTheServerIsRedactedFromErrors() async throws {
        let configuration = sandboxConfiguration()
        let key = configuration.apiKey
        try await withSandbox(configuration) { _, client in
            // The sandbox repeats an unknown credential id in its message, as many APIs do.
            let unknown = try await #require(throws: NylasError.self) {
                try await client.customAuthentication(
                    .bulk(provider: .google, credentialID: "id-\(key)", email: "ada@example.com", scopes: Seed.scopes))
            }
            #expect(unknown.status == 404)
            #expect(unknown.message.contains("[redacted]"))
            #expect(!unknown.message.contains(key))
            #expect(!unknown.description.contains(key))

            // And a credential name in a clash message.
            let name = "named \(key)"
            _ = try await client.createCredential(
                provider: .google, .init(name: name, credentialType: .serviceAccount, credentialData: serviceAccountData()))
            let clash = try await #require(throws: NylasError.self) {
                try await client.createCredential(
                    provider: .google,
                    .init(name: name, credentialType: .serviceAccount, credentialData: serviceAccountData(keyID: "other")))
            }
            #expect(clash.status == 400)
            #expect(clash.message.contains("[redacted]"))
            #expect(!clash.description.contains(key))
        }
    }

    @Test func keyRotatedOnTheServerTurnsTheNextCallInto401() async throws {
        try await withSandbox { server, client in
            _ = try await client.listGrants()
            await server.state.setAPIKey("rotated")
            let error = try await #require(throws: NylasError.self) { try await client.listGrants() }
            #expect(error.isAuthenticationFailure)
        }
    }

    @Test func htmlBadGatewayIsUnreadableBodyWithOutcomeUnknownForAPost() async throws {
        try await withSandbox(Self.faults { $0.html = 1 }) { _, client in
            let error = try await #require(throws: NylasError.self) { try await client.authenticateGoogle("ada@example.com") }
            #expect(error.code == .unreadableBody)
            #expect(error.status == 502)
            #expect(error.type == nil)
            #expect(error.outcomeUnknown)
            #expect(error.message.contains("text/html"))
            #expect(error.message.contains("502 Bad Gateway"))
        }
    }

    @Test func emptyServerErrorIsUnreadableBody() async throws {
        try await withSandbox(Self.faults { $0.empty = 1 }) { _, client in
            let error = try await #require(throws: NylasError.self) { try await client.authenticateGoogle("ada@example.com") }
            #expect(error.code == .unreadableBody)
            #expect(error.status == 500)
            #expect(error.outcomeUnknown)
            #expect(error.message.contains("empty body"))
        }
    }

    @Test func nylas5xxEnvelopeIsAnAPIErrorWithOutcomeUnknown() async throws {
        try await withSandbox(Self.faults { $0.statusProbabilities = [503: 1] }) { _, client in
            let error = try await #require(throws: NylasError.self) { try await client.authenticateGoogle("ada@example.com") }
            #expect(error.code == .api)
            #expect(error.status == 503)
            #expect(error.type == "api.internal_error")
            #expect(error.requestID?.isEmpty == false)
            #expect(error.outcomeUnknown)
        }
    }

    @Test func rateLimitWithRetryAfterInSeconds() async throws {
        let configuration = Self.faults {
            $0.statusProbabilities = [429: 1]
            $0.retryAfter = .seconds(7)
        }
        try await withSandbox(configuration) { _, client in
            let error = try await #require(throws: NylasError.self) { try await client.authenticateGoogle("ada@example.com") }
            #expect(error.isRateLimited)
            #expect(error.status == 429)
            #expect(error.type == "nylas_rate_limit_exceeded")
            #expect(error.retryAfter == 7)
            #expect(!error.isAuthenticationFailure)
        }
    }

    @Test func rateLimitWithRetryAfterAsAnHTTPDate() async throws {
        let configuration = Self.faults {
            $0.statusProbabilities = [429: 1]
            $0.retryAfter = .httpDate(secondsFromNow: 30)
        }
        try await withSandbox(configuration) { _, client in
            let error = try await #require(throws: NylasError.self) { try await client.listGrants() }
            #expect(error.isRateLimited)
            let retryAfter = try #require(error.retryAfter)
            // An HTTP-date has one-second resolution, and the answer took a moment to arrive.
            #expect(retryAfter > 25 && retryAfter <= 30)
        }
    }

    @Test func rateLimitWithoutRetryAfter() async throws {
        let configuration = Self.faults {
            $0.statusProbabilities = [429: 1]
            $0.retryAfter = nil
        }
        try await withSandbox(configuration) { _, client in
            let error = try await #require(throws: NylasError.self) { try await client.listGrants() }
            #expect(error.isRateLimited)
            #expect(error.retryAfter == nil)
        }
    }

    @Test func throttleOfTheSandboxItselfCarriesRetryAfter() async throws {
        let configuration = sandboxConfiguration {
            $0.rateLimit = 0.02
            $0.rateLimitRetryAfter = 2
        }
        try await withSandbox(configuration) { _, client in
            _ = try await client.listGrants()
            let error = try await #require(throws: NylasError.self) { try await client.listGrants() }
            #expect(error.isRateLimited)
            // At least the configured floor; here the bucket refills in about 50 s, so it says so
            // (a little less when the machine is slow between the two calls).
            #expect((error.retryAfter ?? 0) >= 30)
            #expect(error.message.contains("rate limit"))
        }
    }

    @Test func connectionRefusedIsATransportErrorWhoseOutcomeIsKnown() async throws {
        // A sandbox that is stopped leaves a port nothing listens on.
        let server = try await SandboxServer.start(sandboxConfiguration(), logger: quietLogger)
        let endpoint = try APIEndpoint(server.baseURI)
        await server.stop()
        var configuration = NylasClientConfiguration(endpoint: endpoint, apiKey: APIKey("k"))
        configuration.connectTimeout = 2
        let client = NylasClient(configuration: configuration, logger: quietLogger)
        var caught: Error?
        do {
            _ = try await client.authenticateGoogle("ada@example.com")
        } catch {
            caught = error
        }
        try await client.shutdown()
        let error = try #require(caught as? NylasError)
        #expect(error.code == .transport)
        #expect(error.call == "POST /v3/connect/custom")
        // Nothing reached a server, so nothing can have been created.
        #expect(!error.outcomeUnknown)
    }
}

@Suite("RetryAfter parsing")
struct RetryAfterTests {
    private let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT

    @Test(arguments: [("0", 0.0), ("1", 1), ("120", 120), (" 30 ", 30), ("2.5", 2.5)])
    func deltaSeconds(text: String, expected: Double) {
        #expect(RetryAfter.seconds(from: text, now: now) == expected)
    }

    @Test func imfFixdate() {
        #expect(RetryAfter.seconds(from: "Tue, 14 Nov 2023 22:15:20 GMT", now: now) == 120)
    }

    @Test func roundTripOfTheRenderedDate() {
        let text = RetryAfter.httpDate(now.addingTimeInterval(45))
        #expect(text == "Tue, 14 Nov 2023 22:14:05 GMT")
        #expect(RetryAfter.seconds(from: text, now: now) == 45)
    }

    @Test func obsoleteDateForms() {
        #expect(RetryAfter.seconds(from: "Tuesday, 14-Nov-23 22:14:20 GMT", now: now) == 60)
        #expect(RetryAfter.seconds(from: "Tue Nov 14 22:13:50 2023", now: now) == 30)
        // asctime pads a one-digit day with a space: "Fri Dec  1".
        #expect(RetryAfter.seconds(from: "Fri Dec  1 00:00:00 2023", now: now) == 1_388_800)
    }

    @Test func dateInThePastIsZero() {
        #expect(RetryAfter.seconds(from: "Tue, 14 Nov 2023 22:00:00 GMT", now: now) == 0)
    }

    @Test(arguments: ["", "soon", "nan", "inf", "Tue, 99 Foo 2023 25:61:00 GMT", "12 seconds"])
    func garbageIsNil(text: String) {
        #expect(RetryAfter.seconds(from: text, now: now) == nil)
    }
}
