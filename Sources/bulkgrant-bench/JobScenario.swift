import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import Provisioning

extension Scenarios {
    /// Issue #8: three organisations (1,500, 300 and 20 users) in one job at Nylas's 50/s with
    /// 300 ± 100 ms latency. The job as a whole should run at its rate, and the 20-user
    /// organisation should finish in its first seconds, not behind the 1,500-user one.
    static func job() async throws -> [BenchLine] {
        var configuration = SandboxConfiguration()
        configuration.apiKey = Bench.key
        configuration.rateLimit = 50
        configuration.faults.latencyMs = 200...400
        let sizes = [("big", 1500), ("middle", 300), ("small", 20)]
        configuration.seedCredentials = sizes.map { .init(provider: .google, id: "cred-\($0.0)", name: $0.0) }
        let server = try await SandboxServer.start(configuration, logger: Bench.logger)
        let dir = try Bench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }

        var job = JobFile(path: dir + "/job.toml", ledger: dir + "/job.sqlite")
        for (name, count) in sizes {
            let input = dir + "/\(name).csv"
            let rows = (0..<count).map { "user\($0)@\(name).example" }
            try ("Email\n" + rows.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
            var organisation = JobFile.Organisation(name: name, provider: .google, credentialID: "cred-\(name)", input: input)
            organisation.scopes = ["https://www.googleapis.com/auth/calendar"]
            job.organisations.append(organisation)
        }
        var clientConfiguration = NylasClientConfiguration(endpoint: try APIEndpoint(server.baseURI), apiKey: APIKey(Bench.key))
        clientConfiguration.maxConnections = job.concurrency
        let client = NylasClient(configuration: clientConfiguration, logger: Bench.logger)
        let ledger = try Ledger.open(path: job.ledger, apiIdentity: "loopback-sandbox", logger: Bench.logger)
        let report = try await JobRun(
            job: job, client: client, ledger: ledger, control: RunControl(), apiIdentity: "loopback-sandbox",
            logger: Bench.logger
        ).execute()
        try ledger.close()
        try await client.shutdown()
        let stats = await server.state.stats()
        await server.stop()

        let calls = report.organisations.reduce(0) { $0 + $1.report.apiCalls }
        let granted = report.organisations.reduce(0) { $0 + $1.report.granted }
        let rate = Double(calls) / report.durationSeconds
        let big = report.organisations[0].finishedAfterSeconds
        let small = report.organisations[2].finishedAfterSeconds
        let throttled = Double(stats.rateLimited) / Double(max(1, calls))
        return [
            BenchLine(
                name: "job, 3 organisations (1,500 + 300 + 20 users), limit 50/s, 300±100 ms, --rate 45",
                figure: String(format: "%.2f calls/s", rate), ideal: "45/s", ratio: rate / 45,
                target: "≥ 0.90, 429s ≤ 1%", pass: rate / 45 >= 0.90 && throttled <= 0.01,
                note: "429s: \(stats.rateLimited) of \(calls) calls, granted \(granted) of 1,820"),
            BenchLine(
                name: "job fairness: the 20-user organisation's finish against the 1,500-user one's",
                figure: String(format: "%.1f s vs %.1f s", small, big), ideal: "in its first seconds",
                ratio: small / big, target: "≤ 0.10", pass: small / big <= 0.10,
                note: String(format: "middle (300) finished after %.1f s", report.organisations[1].finishedAfterSeconds)),
        ]
    }
}
