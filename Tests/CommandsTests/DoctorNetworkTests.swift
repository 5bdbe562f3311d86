import Foundation
import NetworkTestSupport
import NylasSandbox
import SandboxTestSupport
import Testing

/// `bulkgrant doctor` on the production path: HTTPS through a proxy, with a private CA.
@Suite("bulkgrant doctor: proxy and TLS")
struct DoctorNetworkTests {
    static let password = "doctor-proxy-CANARY-pass"

    func lines(_ output: Output) -> [String] { output.stdout.split(separator: "\n").map(String.init) }

    /// The binary against a sandbox serving `leaf` over HTTPS, and the certificates.
    func withHTTPSCLI(
        leaf: @escaping (TestCertificates) -> TestCertificates.Leaf = { $0.valid },
        _ body: (CLI, SandboxServer, TestCertificates) async throws -> Void
    ) async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let tls = try leaf(certificates).sandboxTLS()
        try await withCLI({ $0.tls = tls }) { cli, server, _ in try await body(cli, server, certificates) }
    }

    @Test func itReportsTheProxyTheTunnelTheHandshakeAndTheCertificate() async throws {
        let proxy = try await ConnectProxy.start(.init(credentials: ("alice", Self.password)))
        defer { Task { await proxy.stop() } }
        try await withHTTPSCLI { cli, server, certificates in
            let output = try await cli.run([
                "doctor", "--provider", "google", "--credential-id", Seed.google, "--ca-file", certificates.caFile,
                "--proxy", proxy.url(user: "alice", password: Self.password),
            ])
            #expect(output.status == 0, "\(output.transcript)")
            let lines = lines(output)
            #expect(lines.contains(
                "✓ connection to 127.0.0.1:\(server.port): through proxy http://alice:[redacted]@127.0.0.1:\(proxy.port) (from --proxy): tunnel opened (HTTP 200)"),
                "\(output.stdout)")
            let tls = try #require(lines.first { $0.hasPrefix("✓ TLS to 127.0.0.1:\(server.port): handshake done: certificate ") })
            #expect(tls.contains("localhost") && tls.contains("issued by") && tls.contains("bulkgrant test CA"), "\(tls)")
            #expect(tls.contains("valid until ") && tls.contains(" left);"), "\(tls)")
            #expect(tls.contains("trusting the system's roots and 1 certificate of \(certificates.caFile) (--ca-file)"))
            #expect(lines.contains { $0.hasPrefix("✓ system clock: within ") }, "the clock's Date came through the tunnel")
            #expect(lines.last == "11 of 11 checks passed")
            #expect(!output.all.contains(Self.password))
            #expect(proxy.tunnels >= 2, "the probe and the client both tunnelled")
        }
    }

    @Test func withoutTheCAItNamesTheCertificateProblemAndSkipsTheAPI() async throws {
        try await withHTTPSCLI { cli, server, _ in
            let output = try await cli.run(["doctor", "--json"])
            #expect(output.status == 1, "\(output.transcript)")
            let report = try JSONDecoder().decode(DoctorCommandTests.ReportJSON.self, from: output.stdoutData)
            let tls = try #require(report.checks.first { $0.id == "network.tls" })
            #expect(tls.status == "fail")
            #expect(tls.detail.contains("the server's certificate is not trusted") && tls.detail.contains("bulkgrant test CA"), "\(tls.detail)")
            #expect(tls.fix?.contains("--ca-file") == true)
            let accepted = try #require(report.checks.first { $0.id == "api_key.accepted" })
            #expect(accepted.status == "skip" && accepted.detail.contains("TLS handshake failed"))
            #expect(await server.state.stats().calls.isEmpty)
        }
    }

    @Test func aProxyAnswering407IsTheConnectionLine() async throws {
        let proxy = try await ConnectProxy.start(.init(credentials: ("alice", "another-password")))
        defer { Task { await proxy.stop() } }
        try await withHTTPSCLI { cli, _, certificates in
            let output = try await cli.run(
                ["doctor", "--ca-file", certificates.caFile],
                environment: ["HTTPS_PROXY": proxy.url(user: "alice", password: Self.password)])
            // A proxy from the environment is not used for loopback: the doctor says so and goes direct.
            #expect(output.status == 0, "\(output.transcript)")
            #expect(lines(output).contains { $0.contains("direct (proxy none: HTTPS_PROXY is not used for the loopback host 127.0.0.1") })
            let asked = try await cli.run(["doctor", "--ca-file", certificates.caFile, "--proxy", proxy.url(user: "alice", password: Self.password)])
            #expect(asked.status == 1, "\(asked.transcript)")
            let line = try #require(lines(asked).first { $0.hasPrefix("✗ connection to ") }, "\(asked.stdout)")
            #expect(line.contains("proxy http://alice:[redacted]@127.0.0.1:\(proxy.port) (from --proxy) answered 407"))
            #expect(line.contains("→ fix: put the proxy's user and password in its URL"))
            #expect(!asked.all.contains(Self.password) && !output.all.contains(Self.password))
        }
    }

    @Test func aBadProxyOrCAFileIsAUsageError() async throws {
        try await withCLI { cli, _, _ in
            let proxy = try await cli.run(["doctor", "--proxy", "socks5://bob:\(Self.password)@127.0.0.1:1080"])
            #expect(proxy.status == 2, "\(proxy.transcript)")
            #expect(proxy.stderr.contains("only HTTP proxies") && !proxy.all.contains(Self.password))
            let ca = try await cli.run(["doctor", "--ca-file", cli.directory + "/absent.pem"])
            #expect(ca.status == 2 && ca.stderr.contains("--ca-file \(cli.directory)/absent.pem: no such file"), "\(ca.transcript)")
        }
    }
}
