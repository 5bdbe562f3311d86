import Foundation
import GrantLedger
import Logging
import NylasAPI
import NylasSandbox
import Testing

@testable import Provisioning

/// The job's concurrency, in process: the HTTP pool here is larger than the job's limit, so
/// only the job's shared gate can hold the organisations to it.
@Suite("job concurrency")
struct JobConcurrencyTests {
    @Test("the job's concurrency is one limit for all its organisations, not one per organisation")
    func oneLimit() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("job-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical

        let inFlight = InFlightCounter()
        var configuration = SandboxConfiguration()
        configuration.apiKey = "job-key"
        configuration.rateLimit = 0
        configuration.faults.latencyMs = 40...40
        configuration.seedCredentials = [
            .init(provider: .google, id: "cred-a", name: "a"), .init(provider: .google, id: "cred-b", name: "b"),
        ]
        configuration.observer = { event in
            switch event {
            case .received("POST", "/v3/connect/custom"): inFlight.change(+1)
            case .answered("POST", "/v3/connect/custom", _): inFlight.change(-1)
            default: break
            }
        }
        let server = try await SandboxServer.start(configuration, logger: logger)

        var job = JobFile(path: dir + "/job.toml", ledger: dir + "/job.sqlite")
        job.concurrency = 4
        job.rate = 1000
        for name in ["alpha", "beta"] {
            let input = dir + "/\(name).csv"
            let rows = (0..<80).map { "user\($0)@\(name).example" }
            try ("Email\n" + rows.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
            var organisation = JobFile.Organisation(
                name: name, provider: .google, credentialID: name == "alpha" ? "cred-a" : "cred-b", input: input)
            organisation.scopes = ["https://www.googleapis.com/auth/calendar"]
            job.organisations.append(organisation)
        }
        var clientConfiguration = NylasClientConfiguration(endpoint: try APIEndpoint(server.baseURI), apiKey: APIKey("job-key"))
        clientConfiguration.maxConnections = 16
        let client = NylasClient(configuration: clientConfiguration, logger: logger)
        let ledger = try Ledger.open(path: job.ledger, apiIdentity: "loopback-sandbox", logger: logger)
        let report = try await JobRun(
            job: job, client: client, ledger: ledger, control: RunControl(), apiIdentity: "loopback-sandbox", logger: logger
        ).execute()
        try ledger.close()
        try await client.shutdown()
        let created = await server.state.stats().creationsByEmail.count
        await server.stop()

        #expect(report.exitCode == 0)
        #expect(created == 160)
        // Each organisation alone may use all 4 slots; together they must not use 8.
        #expect(inFlight.maximum <= 4, "\(inFlight.maximum) calls in flight at once")
        #expect(inFlight.maximum >= 3, "the slots were used")
    }
}

/// Calls the sandbox holds at once, and the most it held.
final class InFlightCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private var peak = 0

    func change(_ delta: Int) {
        lock.withLock {
            current += delta
            peak = max(peak, current)
        }
    }

    var maximum: Int { lock.withLock { peak } }
}
