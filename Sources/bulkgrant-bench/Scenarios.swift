import Foundation
import GRDB
import GrantLedger
import NetworkTestSupport
import NylasAPI
import NylasSandbox
import Provisioning

/// The five scenarios of issue #7.
enum Scenarios {
    /// 1. Nylas's 50/s limit, 300 ± 100 ms latency, 1,500 users; at the default rate and at 50/s,
    /// and at the default rate over HTTPS through a `CONNECT` proxy (the production path).
    static func rateBound() async throws -> [BenchLine] {
        var lines: [BenchLine] = []
        for (rate, secure) in [(45.0, false), (50.0, false), (45.0, true)] {
            let certificates = secure ? try TestCertificates.make() : nil
            defer { certificates?.remove() }
            let proxy = secure ? try await ConnectProxy.start() : nil
            let server = try await Bench.sandbox(
                rateLimit: 50, latencyMs: 200...400, tls: try certificates?.valid.sandboxTLS())
            let (report, _, _) = try await Bench.provision(
                users: 1500, server: server,
                network: { client in
                    guard let proxy, let certificates else { return }
                    client.proxy = try NylasClientConfiguration.Proxy(url: proxy.url(), source: "bench")
                    client.tls = try .trusting(caFile: certificates.caFile)
                }
            ) { engine in
                engine.rate = rate
            }
            let stats = await server.state.stats()
            await server.stop()
            await proxy?.stop()
            let achieved = report.achievedRate
            let ratio = achieved / rate
            let throttled = Double(stats.rateLimited) / Double(max(1, report.apiCalls))
            let target = rate == 45 ? 0.97 : 0.96
            let tunnelled = proxy.map { Set(stats.peerPorts).isSubset(of: $0.upstreamPorts) } ?? true
            let pass = ratio >= target && (rate == 45 ? stats.rateLimited == 0 : throttled <= 0.01) && tunnelled
                && report.granted == 1500
            let path = proxy.map { ", HTTPS through a CONNECT proxy (\($0.tunnels) tunnels)" } ?? ""
            lines.append(
                BenchLine(
                    name: "rate-bound, --rate \(Int(rate)), limit 50/s, 300±100 ms, 1,500 users\(path)",
                    figure: String(format: "%.2f calls/s", achieved), ideal: String(format: "%.0f/s", rate),
                    ratio: ratio, target: "≥ \(target), 429s \(rate == 45 ? "= 0" : "≤ 1%")", pass: pass,
                    note: "429s: \(stats.rateLimited) of \(report.apiCalls) calls, granted \(report.granted)"
                        + (tunnelled ? "" : ", SOME CALLS BYPASSED THE PROXY")))
        }
        return lines
    }

    /// 2. No limit, 200 ms latency, 64 in flight, 3,000 users: the bound is 64 / 0.2 s = 320/s.
    static func latencyBound() async throws -> BenchLine {
        let server = try await Bench.sandbox(rateLimit: 0, latencyMs: 200...200)
        let (report, _, _) = try await Bench.provision(users: 3000, server: server) { engine in
            engine.rate = .infinity
            engine.concurrency = 64
        }
        await server.stop()
        let ideal = 64 / 0.2
        let ratio = report.achievedRate / ideal
        return BenchLine(
            name: "latency-bound, no limit, 200 ms, --concurrency 64, 3,000 users",
            figure: String(format: "%.1f calls/s", report.achievedRate), ideal: "\(Int(ideal))/s", ratio: ratio,
            target: "≥ 0.90", pass: ratio >= 0.90, note: "granted \(report.granted)")
    }

    /// 3. No limit, no latency, 20,000 users: the engine's, ledger's and HTTP's own cost.
    static func overhead() async throws -> BenchLine {
        let server = try await Bench.sandbox(rateLimit: 0, latencyMs: 0...0)
        let started = ContinuousClock.now
        let (report, busy, commits) = try await Bench.provision(users: 20_000, server: server) { engine in
            engine.rate = .infinity
        }
        let wall = (ContinuousClock.now - started) / .seconds(1)
        await server.stop()
        let usersPerSecond = Double(report.granted) / report.durationSeconds
        return BenchLine(
            name: "overhead, no limit, no latency, 20,000 users (engine, ledger, HTTP and sandbox in one process)",
            figure: String(format: "%.0f users/s", usersPerSecond), ideal: "2,000 users/s",
            ratio: usersPerSecond / 2000, target: "≥ 1.0", pass: usersPerSecond >= 2000,
            note: String(format: "ledger writes %.0f%% of the run (%.2f s of %.2f s in %d group commits, %.1f outcomes each), wall with export %.1f s", 100 * busy / report.durationSeconds, busy, report.durationSeconds, commits, Double(2 * report.granted) / Double(max(commits, 1)), wall))
    }

    /// 4. Nightly no-op: everyone already granted; the real binary, 100,000 and 1,000,000 users.
    static func nightlyNoop() async throws -> [BenchLine] {
        var lines: [BenchLine] = []
        for (users, wallTarget) in [(100_000, 3.0), (1_000_000, 20.0)] {
            let dir = try Bench.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let server = try await Bench.sandbox(rateLimit: 0, latencyMs: 0...0)
            let input = dir + "/export.csv"
            try Bench.writeExport(input, count: users)
            let ledger = dir + "/ledger.sqlite"
            try prepareLedger(ledger, users: users, pendingEvery: 0)
            let result = try Bench.timedBinary(
                ["run", input, "--provider", "google", "--credential-id", Bench.credential, "--scope", "s",
                 "--ledger", ledger, "--api-uri", server.baseURI, "--json", "--no-progress"], in: dir)
            let calls = await server.state.stats().calls.reduce(0) { $0 + $1.count }
            await server.stop()
            let rssOK = users < 1_000_000 || result.rssMB <= 300
            lines.append(
                BenchLine(
                    name: "nightly no-op, \(users) users all granted (bulkgrant binary)",
                    figure: String(format: "%.2f s", result.wall), ideal: String(format: "%.0f s", wallTarget),
                    ratio: result.wall / wallTarget, target: "≤ 1.0, 0 API calls\(users >= 1_000_000 ? ", RSS ≤ 300 MB" : "")",
                    pass: result.wall <= wallTarget && calls == 0 && rssOK && result.stdout.contains("\"skipped\":\(users)"),
                    note: String(format: "API calls %d, peak RSS %.0f MB", calls, result.rssMB)))
        }
        return lines
    }

    /// 5. Resume: a 1,000,000-row ledger with 1,000 users left to do; time to the first request.
    static func resumeStartup() async throws -> BenchLine {
        let dir = try Bench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = FirstRequest()
        var configuration = SandboxConfiguration()
        configuration.apiKey = Bench.key
        configuration.rateLimit = 0
        configuration.seedCredentials = [.init(provider: .google, id: Bench.credential, name: "bench")]
        configuration.observer = { event in
            if case .answered = event { first.mark() }
        }
        let server = try await SandboxServer.start(configuration, logger: Bench.logger)
        let input = dir + "/export.csv"
        try Bench.writeExport(input, count: 1_000_000)
        let ledger = dir + "/ledger.sqlite"
        try prepareLedger(ledger, users: 1_000_000, pendingEvery: 1000)
        first.start()
        let result = try Bench.timedBinary(
            ["run", input, "--provider", "google", "--credential-id", Bench.credential, "--scope", "s",
             "--ledger", ledger, "--api-uri", server.baseURI, "--rate", "100000", "--json", "--no-progress"], in: dir)
        await server.stop()
        let startup = first.elapsed ?? .infinity
        let phases = try await startupPhases(input: input, ledger: ledger)
        return BenchLine(
            name: "resume start-up, 1,000,000-row ledger, 1,000 users to retry",
            figure: String(format: "%.2f s to the first request", startup), ideal: "3 s", ratio: startup / 3,
            target: "≤ 1.0", pass: startup <= 3,
            note: String(format: "whole run %.2f s, peak RSS %.0f MB, granted %@; in-process phases: %@", result.wall, result.rssMB,
                         result.stdout.contains("\"granted\":1000") ? "1000" : "?", phases))
    }

    /// Times the phases before the first request, in this process, on the same files.
    static func startupPhases(input: String, ledger path: String) async throws -> String {
        var clock = ContinuousClock.now
        func lap() -> Double {
            let now = ContinuousClock.now
            defer { clock = now }
            return (now - clock) / .seconds(1)
        }
        let set = try InputSet.load(path: input)
        let read = lap()
        let ledger = try Ledger.openReadOnly(path: path, logger: Bench.logger)
        let rows = try await ledger.userRows(provider: "google")
        let load = lap()
        let plan = Plan.make(emails: set.emails, positions: set.positions, ledger: rows)
        let planning = lap()
        try ledger.close()
        return String(format: "read export %.2f s, load ledger %.2f s, plan %.2f s (%d to retry); the run reads the two in parallel", read, load, planning, plan.retry.count)
    }

    /// Writes a ledger whose users are all granted but one in `pendingEvery` (none when 0).
    static func prepareLedger(_ path: String, users: Int, pendingEvery: Int) throws {
        // Let the ledger create its schema and bind itself to the loopback sandbox.
        try GrantLedgerBootstrap.create(path)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            let statement = try db.makeStatement(
                sql: "INSERT INTO users (provider, email, organisation, state, grant_id, attempts, updated_at) VALUES ('google', ?, '', ?, ?, 1, 0)")
            for index in 0..<users {
                let pending = pendingEvery > 0 && index % pendingEvery == 0
                try statement.execute(arguments: [
                    Bench.email(index), pending ? "failed" : "granted", pending ? nil : "grant-\(index)",
                ])
            }
        }
        try queue.close()
    }
}

/// When the first request reached the sandbox, relative to `start()`.
final class FirstRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var began: ContinuousClock.Instant?
    private var first: ContinuousClock.Instant?

    func start() { lock.withLock { began = .now } }
    func mark() { lock.withLock { if first == nil { first = .now } } }
    var elapsed: Double? {
        lock.withLock {
            guard let began, let first else { return nil }
            return (first - began) / .seconds(1)
        }
    }
}
