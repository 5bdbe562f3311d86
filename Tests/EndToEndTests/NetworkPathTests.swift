import Foundation
import GrantLedger
import NetworkTestSupport
import NylasAPI
import NylasSandbox
import Testing

/// The production network path through the built binary: `bulkgrant run` over HTTPS, through
/// a `CONNECT` proxy, with a private CA, against a sandbox serving test certificates.
@Suite("bulkgrant run over HTTPS and proxies, end to end", .serialized)
struct NetworkPathTests {
    static let password = "e2e-proxy-pass-CANARY"

    /// `bulkgrant sandbox --tls-cert … --tls-key …` in the background, and its base URI.
    func startBinarySandbox(_ leaf: TestCertificates.Leaf, in dir: String) async throws -> (BackgroundProcess, String) {
        let process = try BackgroundProcess(
            binaryPath(),
            [
                "sandbox", "--port", "0", "--api-key", sandboxKey, "--credential", "google:\(credentialID)",
                "--rate-limit", "0", "--tls-cert", leaf.certificateFile, "--tls-key", leaf.keyFile,
            ], environment: [:], in: dir)
        #expect(await process.waitForOutput("stats:"), "\(String(decoding: process.stderr, as: UTF8.self))")
        let text = String(decoding: process.stdout, as: UTF8.self)
        let uri = try #require(text.split(separator: "\n").first { $0.hasPrefix("bulkgrant sandbox listening on ") }?
            .split(separator: " ").last.map(String.init))
        return (process, uri)
    }

    /// An in-process sandbox serving `leaf`.
    func startHTTPSSandbox(_ leaf: TestCertificates.Leaf) async throws -> SandboxServer {
        var configuration = SandboxConfiguration()
        configuration.apiKey = sandboxKey
        configuration.rateLimit = 0
        configuration.seedCredentials = [.init(provider: .google, id: credentialID, name: "e2e")]
        configuration.tls = try leaf.sandboxTLS()
        return try await SandboxServer.start(configuration, logger: quietLogger)
    }

    func run(_ input: String, ledger: String, uri: String, _ extra: [String], environment: [String: String] = [:], in dir: String)
        async throws -> ProcessResult
    {
        try await runBinary(
            [
                "run", input, "--provider", "google", "--credential-id", credentialID,
                "--scope", "https://www.googleapis.com/auth/calendar", "--ledger", ledger, "--api-uri", uri,
                "--no-progress", "--rate", "1000", "--max-attempts", "2",
            ] + extra, environment: ["NYLAS_API_KEY": sandboxKey].merging(environment) { $1 }, in: dir)
    }

    @Test("run --api-uri https://… --ca-file --proxy against `bulkgrant sandbox --tls-cert`: every user granted, every call tunnelled")
    func everyUserGrantedThroughTheTunnel() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let (sandbox, uri) = try await startBinarySandbox(certificates.valid, in: dir)
        let proxy = try await ConnectProxy.start(.init(credentials: ("alice", Self.password)))
        defer { Task { await proxy.stop() } }
        let input = try writeExport(dir, count: 40)
        let ledger = dir + "/ledger.sqlite"

        let result = try await run(
            input, ledger: ledger, uri: uri,
            ["--ca-file", certificates.caFile, "--proxy", proxy.url(user: "alice", password: Self.password), "--json"],
            in: dir)
        let stats = try await sandboxStats(uri, caFile: certificates.caFile)
        _ = await sandbox.stop(SIGINT)
        #expect(result.status == 0, "\(result.transcript)")
        #expect(try await ledgerStates(ledger).values.filter { $0 == .granted }.count == 40)
        #expect(stats.creationsByEmail.count == 40 && stats.creationsByEmail.values.allSatisfy { $0 == 1 })
        #expect(proxy.tunnels >= 1 && proxy.refused == 0)
        #expect(!stats.peerPorts.isEmpty && Set(stats.peerPorts).isSubset(of: proxy.upstreamPorts), "a call bypassed the proxy")
        #expect(!result.all.contains(Self.password))
        let recorded = try await recordedOptions(ledger)
        #expect(recorded["proxy"] == "http://alice:[redacted]@127.0.0.1:\(proxy.port)", "\(recorded)")
        #expect(recorded["ca_file"] == certificates.caFile)
    }

    @Test("NO_PROXY naming the host: no call is tunnelled; a proxy from the environment is not used for loopback")
    func noProxyAndLoopbackGoDirect() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try await startHTTPSSandbox(certificates.valid)
        defer { Task { await server.stop() } }
        let proxy = try await ConnectProxy.start()
        defer { Task { await proxy.stop() } }
        let input = try writeExport(dir, count: 10)

        let exempted = try await run(
            input, ledger: dir + "/a.sqlite", uri: server.baseURI, ["--ca-file", certificates.caFile, "--proxy", proxy.url()],
            environment: ["NO_PROXY": "127.0.0.1"], in: dir)
        #expect(exempted.status == 0, "\(exempted.transcript)")
        let fromEnvironment = try await run(
            input, ledger: dir + "/b.sqlite", uri: server.baseURI, [],
            environment: ["HTTPS_PROXY": proxy.url(), "SSL_CERT_FILE": certificates.caFile], in: dir)
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.transcript)")
        #expect(proxy.tunnels == 0 && proxy.targets.isEmpty)
        #expect(await server.state.stats().creationsByEmail.count == 10)
    }

    /// Each way the path can be broken, with what its message must say.
    struct Broken: Sendable, CustomTestStringConvertible {
        var name: String
        var leaf: @Sendable (TestCertificates) -> TestCertificates.Leaf
        var trustCA = true
        var proxy: ProxyKind = .open
        var says: [String]

        enum ProxyKind: Sendable {
            case open, demandsOtherCredentials, down
        }

        var testDescription: String { name }
    }

    static let broken: [Broken] = [
        Broken(name: "unknown issuer", leaf: { $0.valid }, trustCA: false, says: ["certificate is not trusted", "bulkgrant test CA", "--ca-file"]),
        Broken(name: "expired", leaf: { $0.expired }, says: ["certificate expired on", "check the system clock"]),
        Broken(name: "wrong host", leaf: { $0.wrongHost }, says: ["is not for 127.0.0.1 (it names wrong.example)", "--region"]),
        Broken(name: "proxy 407", leaf: { $0.valid }, proxy: .demandsOtherCredentials, says: ["answered 407", "http://alice:[redacted]@127.0.0.1:"]),
        Broken(name: "proxy down", leaf: { $0.valid }, proxy: .down, says: ["connection to proxy http://alice:[redacted]@127.0.0.1:", "refused"]),
    ]

    /// Runs 5 users into `broken`; gives the result, the sandbox's stats and the ledger.
    func runInto(_ broken: Broken, in dir: String) async throws -> (ProcessResult, SandboxStats, String) {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let server = try await startHTTPSSandbox(broken.leaf(certificates))
        defer { Task { await server.stop() } }
        let proxyURL: String
        var proxy: ConnectProxy?
        switch broken.proxy {
        case .open, .demandsOtherCredentials:
            let started = try await ConnectProxy.start(
                .init(credentials: broken.proxy == .open ? nil : ("alice", "the-right-password")))
            proxy = started
            proxyURL = started.url(user: "alice", password: Self.password)
        case .down:
            proxyURL = "http://alice:\(Self.password)@127.0.0.1:\(try await ConnectProxy.closedPort())"
        }
        defer { if let proxy { Task { await proxy.stop() } } }
        let input = try writeExport(dir, count: 5)
        let ledger = dir + "/ledger.sqlite"
        let result = try await run(
            input, ledger: ledger, uri: server.baseURI,
            (broken.trustCA ? ["--ca-file", certificates.caFile] : []) + ["--proxy", proxyURL], in: dir)
        return (result, await server.state.stats(), ledger)
    }

    @Test("a broken TLS or proxy path is named with its own message and the fix; nothing reaches the server; no password shown",
          arguments: broken)
    func eachBrokenPathHasItsMessage(_ broken: Broken) async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (result, stats, _) = try await runInto(broken, in: dir)
        #expect(result.status != 0 && !result.crashed, "\(result.transcript)")
        for text in broken.says { #expect(result.stderr.contains(text), "\(broken.name): '\(text)' missing\n\(result.transcript)") }
        #expect(stats.calls.isEmpty, "\(broken.name): a call reached the server: \(stats.calls)")
        #expect(!result.all.contains(Self.password))
    }

    // The failure catalogue names a failure whose `transport?.needsOperator` is true (nothing
    // was sent) with the application's reach: the run stops at once, before any other user.
    @Test("a broken TLS or proxy path stops the run before any user with exit 3", arguments: broken)
    func aBrokenPathStopsTheRunWithExit3(_ broken: Broken) async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (result, stats, ledger) = try await runInto(broken, in: dir)
        #expect(result.status == 3, "\(broken.name): \(result.transcript)")
        for text in broken.says { #expect(result.stderr.contains(text), "\(broken.name): '\(text)' missing\n\(result.transcript)") }
        #expect(stats.calls.isEmpty)
        let states = try await ledgerStates(ledger)
        #expect(states.values.allSatisfy { $0 == .pending }, "\(broken.name): users were touched: \(states)")
    }

    // A night on which no call reached the API (every call failed to connect, tunnel or
    // handshake) exits 3, not 1, even for failures that do not need an operator on their own
    // (here: nothing listens at the API's port).
    @Test("a night on which no call reached the API exits 3")
    func aNightWithoutTheAPIExits3() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try writeExport(dir, count: 30)
        let port = try await ConnectProxy.closedPort()
        let result = try await run(input, ledger: dir + "/ledger.sqlite", uri: "http://127.0.0.1:\(port)", [], in: dir)
        #expect(result.status == 3, "\(result.transcript)")
        #expect(result.stderr.contains("refused: nothing answers there"), "\(result.transcript)")
    }

    /// The options the last run recorded in the ledger.
    func recordedOptions(_ path: String) async throws -> [String: String] {
        let ledger = try Ledger.openReadOnly(path: path, logger: quietLogger)
        defer { try? ledger.close() }
        let text = try await ledger.recentRuns(limit: 1).first?.options ?? "{}"
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]) ?? [:]
    }
}
