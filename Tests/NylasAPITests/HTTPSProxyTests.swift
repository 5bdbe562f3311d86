import Foundation
import NetworkTestSupport
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

/// The production path on loopback: HTTPS to a sandbox serving test certificates, through a
/// `CONNECT` proxy written for the tests, with the client's own proxy and trust settings.
@Suite("HTTPS and proxies")
struct HTTPSProxyTests {
    static let password = "proxy-pass-CANARY-77"

    /// A sandbox serving `leaf` (the valid one unless said), the certificates, and a client
    /// for it with `proxy` (explicit, as `--proxy` gives it), the test CA unless `trustCA` is
    /// false, and `environment` for NO_PROXY.
    func withHTTPS<T>(
        leaf: (TestCertificates) -> TestCertificates.Leaf = { $0.valid }, proxy: String? = nil, trustCA: Bool = true,
        environment: [String: String] = [:], requestTimeout: Double = 30, maxConnections: Int = 64,
        _ body: (SandboxServer, NylasClient) async throws -> T
    ) async throws -> T {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let tls = try leaf(certificates).sandboxTLS()
        return try await withSandbox(
            sandboxConfiguration { $0.tls = tls }, requestTimeout: requestTimeout,
            client: { settings in
                settings.proxy = try ProxyChoice.resolve(
                    for: settings.endpoint, explicit: proxy.map { ($0, "--proxy") }, environment: environment
                ).proxy
                if trustCA { settings.tls = try .trusting(caFile: certificates.caFile) }
                settings.maxConnections = maxConnections
            }, body)
    }

    /// The error of one authentication, which must fail.
    func failure(_ client: NylasClient) async -> NylasError? {
        do {
            _ = try await client.authenticateGoogle("ada@acme.example")
            return nil
        } catch {
            return error as? NylasError
        }
    }

    @Test func everyCallGoesThroughTheTunnel() async throws {
        let proxy = try await ConnectProxy.start()
        defer { Task { await proxy.stop() } }
        // A generous timeout: 24 calls queue for 4 tunnels on a machine the whole suite loads.
        try await withHTTPS(proxy: proxy.url(), requestTimeout: 60, maxConnections: 4) { server, client in
            #expect(server.baseURI.hasPrefix("https://127.0.0.1:"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<24 {
                    group.addTask { _ = try await client.authenticateGoogle("user\(index)@acme.example") }
                }
                try await group.waitForAll()
            }
            let stats = await server.state.stats()
            #expect(stats.creationsByEmail.count == 24)
            #expect(proxy.tunnels >= 1)
            #expect(!stats.peerPorts.isEmpty)
            #expect(Set(stats.peerPorts).isSubset(of: proxy.upstreamPorts), "a call came on a connection the proxy did not open")
            #expect(Set(proxy.targets) == ["127.0.0.1:\(server.port)"])
        }
    }

    @Test func noProxyNamingTheHostSendsEveryCallDirect() async throws {
        let proxy = try await ConnectProxy.start()
        defer { Task { await proxy.stop() } }
        try await withHTTPS(proxy: proxy.url(), environment: ["NO_PROXY": "localhost,127.0.0.1"]) { server, client in
            for index in 0..<5 { _ = try await client.authenticateGoogle("user\(index)@acme.example") }
            #expect(await server.state.stats().creationsByEmail.count == 5)
            #expect(proxy.tunnels == 0 && proxy.targets.isEmpty)
        }
    }

    @Test func credentialsInTheURLOpenAnAuthenticatingProxy() async throws {
        let proxy = try await ConnectProxy.start(.init(credentials: ("alice", Self.password)))
        defer { Task { await proxy.stop() } }
        try await withHTTPS(proxy: proxy.url(user: "alice", password: Self.password)) { server, client in
            _ = try await client.authenticateGoogle("ada@acme.example")
            #expect(proxy.tunnels == 1 && proxy.refused == 0)
        }
    }

    @Test func aProxyAnswering407IsNamedRedactedWithTheFix() async throws {
        let proxy = try await ConnectProxy.start(.init(credentials: ("alice", "the-right-one")))
        defer { Task { await proxy.stop() } }
        try await withHTTPS(proxy: proxy.url(user: "alice", password: Self.password)) { server, client in
            let error = try #require(await failure(client))
            #expect(error.transport?.kind == .proxyAuthenticationRequired, "\(error)")
            #expect(error.delivery == .notSent && !error.outcomeUnknown && !error.reachedServer)
            #expect(error.transport?.needsOperator == true)
            #expect(error.message.contains("proxy http://alice:[redacted]@127.0.0.1:\(proxy.port) (from --proxy) answered 407"))
            #expect(error.message.contains("http://USER:PASSWORD@HOST:PORT"))
            #expect(!"\(error)".contains(Self.password))
            #expect(await server.state.stats().calls.isEmpty)
        }
    }

    @Test func aProxyThatIsDownIsNamed() async throws {
        let port = try await ConnectProxy.closedPort()
        try await withHTTPS(proxy: "http://127.0.0.1:\(port)") { _, client in
            let error = try #require(await failure(client))
            #expect(error.transport?.kind == .proxyRefused, "\(error)")
            #expect(error.delivery == .notSent && error.transport?.needsOperator == true)
            #expect(error.message.contains("connection to proxy http://127.0.0.1:\(port) (from --proxy) refused"))
            #expect(error.message.contains("check the proxy's host and port in --proxy"))
        }
    }

    @Test func aProxyRefusingTheTunnelIsNamedWithItsAnswer() async throws {
        let proxy = try await ConnectProxy.start(.init(refuseWith: 403))
        defer { Task { await proxy.stop() } }
        try await withHTTPS(proxy: proxy.url()) { server, client in
            let error = try #require(await failure(client))
            #expect(error.transport?.kind == .tunnelFailed, "\(error)")
            #expect(error.message.contains("did not open a tunnel to 127.0.0.1:\(server.port) (it answered 403 Forbidden)"))
            #expect(error.message.contains("allows CONNECT"))
        }
    }

    @Test func anUnknownIssuerNamesTheCertificateAndCAFile() async throws {
        let proxy = try await ConnectProxy.start()
        defer { Task { await proxy.stop() } }
        try await withHTTPS(proxy: proxy.url(), trustCA: false) { server, client in
            let error = try #require(await failure(client))
            #expect(error.transport?.kind == .tlsUnknownIssuer, "\(error)")
            #expect(error.delivery == .notSent && error.code == .transport && error.transport?.needsOperator == true)
            #expect(error.message.contains("the server's certificate is not trusted"), "\(error)")
            #expect(error.message.contains("issued by") && error.message.contains("bulkgrant test CA"), "\(error)")
            #expect(error.message.contains("--ca-file"))
            #expect(error.message.contains("through proxy http://127.0.0.1:\(proxy.port)"))
            #expect(await server.state.stats().calls.isEmpty, "nothing may reach the server")
        }
    }

    @Test func aCAFileWithoutTheIssuerSaysSo() async throws {
        try await withHTTPS(leaf: { $0.otherIssuer }) { _, client in
            let error = try #require(await failure(client))
            #expect(error.transport?.kind == .tlsUnknownIssuer, "\(error)")
            #expect(error.message.contains("bulkgrant untrusted CA"))
            #expect(error.message.contains("does not hold the issuer"), "\(error)")
        }
    }

    @Test func anExpiredCertificateIsNamedWithTheClock() async throws {
        try await withHTTPS(leaf: { $0.expired }) { _, client in
            let error = try #require(await failure(client))
            #expect(error.transport?.kind == .tlsExpired, "\(error)")
            #expect(error.message.contains("the server's certificate expired on "), "\(error)")
            #expect(error.message.contains("check the system clock"))
            #expect(error.transport?.certificate?.names.contains("127.0.0.1") == true)
        }
    }

    @Test func aCertificateForAnotherHostIsNamedWithTheRegion() async throws {
        let proxy = try await ConnectProxy.start()
        defer { Task { await proxy.stop() } }
        try await withHTTPS(leaf: { $0.wrongHost }, proxy: proxy.url()) { _, client in
            let error = try #require(await failure(client))
            #expect(error.transport?.kind == .tlsHostnameMismatch, "\(error)")
            #expect(error.message.contains("is not for 127.0.0.1 (it names wrong.example)"), "\(error)")
            #expect(error.message.contains("--region"))
        }
    }

    @Test func plainHTTPToTheSandboxIsTunnelledWhenAProxyIsGiven() async throws {
        let proxy = try await ConnectProxy.start()
        defer { Task { await proxy.stop() } }
        let plain = sandboxConfiguration()
        let server = try await SandboxServer.start(plain, logger: quietLogger)
        defer { Task { await server.stop() } }
        var settings = NylasClientConfiguration(endpoint: try APIEndpoint(server.baseURI), apiKey: APIKey(plain.apiKey))
        settings.proxy = try NylasClientConfiguration.Proxy(url: proxy.url())
        let client = NylasClient(configuration: settings, logger: quietLogger)
        _ = try await client.authenticateGoogle("ada@acme.example")
        try await client.shutdown()
        #expect(proxy.tunnels == 1)
        #expect(Set(await server.state.stats().peerPorts).isSubset(of: proxy.upstreamPorts))
    }

    @Test func theProbeReportsTheTunnelAndTheCertificate() async throws {
        let proxy = try await ConnectProxy.start()
        defer { Task { await proxy.stop() } }
        try await withHTTPS(proxy: proxy.url()) { server, client in
            let report = await ConnectionProbe.run(client.configuration)
            #expect(report.failure == nil, "\(String(describing: report.failure))")
            #expect(report.connected && report.tunnelStatus == 200 && report.handshakeCompleted)
            #expect(report.proxy == "http://127.0.0.1:\(proxy.port) (from --proxy)")
            let certificate = try #require(report.certificate)
            #expect(certificate.issuer.contains("bulkgrant test CA") && certificate.subject.contains("localhost"))
            #expect(certificate.names.contains("127.0.0.1") && certificate.notValidAfter > Date())
            #expect(report.trust.contains("1 certificate of"))
            #expect(await client.serverDate() != nil, "the Date comes through the same tunnel")
            #expect(await server.state.stats().calls.isEmpty == false)
        }
    }

    @Test func deliveryTellsNotSentFromMaybeAppliedFromAnswered() async throws {
        try await withHTTPS { server, client in
            await server.state.script([.status(503)], for: "/v3/connect/custom")
            let fiveHundred = try #require(await failure(client))
            #expect(fiveHundred.delivery == .maybeApplied && fiveHundred.outcomeUnknown && fiveHundred.reachedServer)
            #expect(fiveHundred.transport == nil)
            do {
                _ = try await client.getGrant(id: "no-such-grant")
                Issue.record("a 404 was expected")
            } catch let error as NylasError {
                #expect(error.delivery == .answered && !error.outcomeUnknown && error.reachedServer)
            }
        }
        let port = try await ConnectProxy.closedPort()
        var settings = NylasClientConfiguration(endpoint: try APIEndpoint("http://127.0.0.1:\(port)"), apiKey: APIKey("k"))
        settings.connectTimeout = 5
        let client = NylasClient(configuration: settings, logger: quietLogger)
        let refused = try #require(await failure(client))
        try await client.shutdown()
        #expect(refused.transport?.kind == .connectionRefused, "\(refused)")
        #expect(refused.delivery == .notSent && !refused.reachedServer && refused.transport?.needsOperator == false)
        #expect(refused.message.contains("refused: nothing answers there"))
    }
}
