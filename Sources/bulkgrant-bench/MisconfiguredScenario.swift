import Foundation
import NylasSandbox
import Provisioning

extension Scenarios {
    /// A Workspace whose delegation lacks the run's scope, 10,000 users, Nylas's 50/s limit and
    /// 300 ± 100 ms latency: the calls and seconds until the run stops. Classified by status, a
    /// 504 `api.provider_error` was an unknown outcome, looked up and sent again until the
    /// retry budget ran out (about 2,500 creations for 2,000 users); by cause, the run stops
    /// after 3 identical answers plus the calls already in flight.
    static func misconfiguredTenant() async throws -> BenchLine {
        var tenant = SandboxTenant()
        tenant.google.delegatedScopes = ["https://www.googleapis.com/auth/gmail.readonly"]
        let server = try await Bench.sandbox(rateLimit: 50, latencyMs: 200...400, tenant: tenant)
        await server.state.setEnvelope(.gateway)
        let (report, _, _) = try await Bench.provision(users: 10_000, server: server) { _ in }
        let stats = await server.state.stats()
        await server.stop()
        let posts = stats.count("POST", "/v3/connect/custom")
        let ceiling = 3 + 64
        return BenchLine(
            name: "misconfigured tenant (delegation lacks the scope, 504 envelope), 10,000 users, limit 50/s, 300±100 ms",
            figure: String(format: "%d custom authentications, %.1f s until the stop", posts, report.durationSeconds),
            ideal: "≤ \(ceiling) calls", ratio: Double(posts) / Double(ceiling), target: "≤ 1.0",
            pass: posts <= ceiling && report.exitCode == 3 && report.failed == 0,
            note: "exit \(report.exitCode), \(report.unfinished) users left pending, stop: \(report.failureReasons.first?.cause ?? "none")")
    }
}
