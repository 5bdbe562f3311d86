import Foundation
import NylasSandbox
import Provisioning

extension Scenarios {
    /// 429 bursts from a limit shared with other clients: the sandbox answers every call 429 for
    /// DURATION seconds out of every EVERY (with `Retry-After` in whole seconds, as HTTP has it),
    /// whatever this run's own pace. The ceiling is `--rate` over the time not spent in bursts
    /// or in the `Retry-After` pauses they cause: 45 × (1 − ⌈duration⌉ / every).
    static func throttleBursts() async throws -> [BenchLine] {
        var lines: [BenchLine] = []
        for (every, duration, users) in [(5.0, 0.5, 3000), (2.0, 0.5, 295)] {
            var configuration = SandboxConfiguration()
            configuration.apiKey = Bench.key
            configuration.rateLimit = 50
            configuration.faults.latencyMs = 50...100
            configuration.faults.throttleBurst = .init(every: every, duration: duration)
            configuration.seedCredentials = [.init(provider: .google, id: Bench.credential, name: "bench")]
            let server = try await SandboxServer.start(configuration, logger: Bench.logger)
            let (report, _, _) = try await Bench.provision(users: users, server: server) { _ in }
            await server.stop()
            let ceiling = 45 * (1 - duration.rounded(.up) / every)
            let ratio = report.achievedRate / ceiling
            lines.append(
                BenchLine(
                    name: "429 bursts \(Int(every)):\(duration) (shared limit), limit 50/s, --rate 45, \(users) users",
                    figure: String(format: "%.1f calls/s", report.achievedRate), ideal: String(format: "%.1f/s", ceiling),
                    ratio: ratio, target: "≥ 0.80", pass: ratio >= 0.80 && report.granted == users,
                    note: "\(report.rateLimited) × 429 of \(report.apiCalls) calls, granted \(report.granted), deferred \(report.deferred)"))
        }
        return lines
    }
}
