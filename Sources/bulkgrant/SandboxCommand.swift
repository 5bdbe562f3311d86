import ArgumentParser
import Foundation
import Logging
import NylasAPI
import NylasSandbox

/// `bulkgrant sandbox`: a Nylas-compatible server on loopback for rehearsals and tests.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve a Nylas-compatible sandbox on loopback until interrupted.",
        discussion: """
            Emulates connectors, credentials, custom authentication and grants with Nylas's \
            semantics (re-authentication returns the existing grant, offset paging, the error \
            envelope, a per-key rate limit answering 429), and injects faults on request. \
            GET /__sandbox/stats reports every call served and grants created per email.

            Examples:
              bulkgrant sandbox --port 0
              bulkgrant sandbox --port 8080 --api-key test --rate-limit 50 --latency-ms 200-400 \\
                --fail 500=0.05,502=0.01,drop=0.02,hang=0.001 --reject-domain contractors.example
              bulkgrant sandbox --port 0 --throttle-burst 5:0.5   # half a second of 429s every 5 s
              bulkgrant sandbox --port 0 --tenant examples/tenants/no-delegation.toml --envelope gateway
              NYLAS_API_KEY=test bulkgrant run users.csv --api-uri http://127.0.0.1:8080 ...
            """)

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port: Int = 8080

    @Option(help: "Address to listen on (loopback only by default).")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("api-key"), help: "The API key clients must send.")
    var apiKey: String = "sandbox-key"

    @Option(name: .customLong("rate-limit"), help: "Requests per second per key and endpoint group (0: none).")
    var rateLimit: Double = 50

    @Option(name: .customLong("latency-ms"), help: "Latency of every answer: MIN or MIN-MAX milliseconds.")
    var latency: String = "0"

    @Option(help: "Faults: KIND=PROBABILITY,… with KIND an error status (429, 500, 502, 503, 504) or drop, hang, html, empty.")
    var fail: String?

    @Option(name: .customLong("hang-seconds"), help: "How long a hung answer is held.")
    var hangSeconds: Double = 30

    @Option(
        name: .customLong("throttle-burst"),
        help: "Answer every call 429 for DURATION seconds out of every EVERY seconds, as EVERY:DURATION (e.g. 5:0.5).")
    var throttleBurst: String?

    @Option(name: .customLong("reject-domain"), help: "A domain whose users custom authentication rejects (repeatable).")
    var rejectDomains: [String] = []

    @Option(name: .customLong("invalid-share"), help: "Share of new grants created invalid (0 to 1).")
    var invalidShare: Double = 0

    @Option(name: .customLong("credential"), help: "A credential to create at start, as PROVIDER:ID (repeatable).")
    var credentials: [String] = []

    @Option(help: "Seed for the fault draws, to replay a run.")
    var seed: UInt64?

    @Option(
        help: ArgumentHelp(
            "The provider's side behind every credential, as a TOML file (see examples/tenants/).",
            discussion: """
                Google: the scopes delegated to the service account (delegated_scopes), the key and \
                the service account (active, deleted, disabled), the domains owned, and users that are \
                suspended, deleted, unknown or have no Gmail/Calendar service. Microsoft: the admin \
                consent (consent, consented_minutes_ago; grants fail for 5 minutes after it), the \
                client secret (valid, expired, wrong), the permissions, an application access policy, \
                and users with no mailbox, on-premises, disabled or unknown. Without it every \
                address is a licensed user and everything is delegated and consented.
                """,
            valueName: "file"))
    var tenant: String?

    @Option(
        help: ArgumentHelp(
            "How a provider's refusal is wrapped: provider-object, gateway (504), message-only or provider-string.",
            discussion: "Nylas does not document which; the tenant file's envelope key sets it too, this flag wins."))
    var envelope: RefusalEnvelope?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard (0...1).contains(invalidShare) else { throw ValidationError("--invalid-share must be from 0 to 1") }
        guard rateLimit >= 0 else { throw ValidationError("--rate-limit must be 0 or more") }
        _ = try parsedConfiguration()
    }

    func parsedConfiguration() throws -> SandboxConfiguration {
        var configuration = SandboxConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.apiKey = apiKey
        configuration.rateLimit = rateLimit
        do {
            if let fail { configuration.faults = try FaultPlan.parse(fail) }
            configuration.faults.latencyMs = try FaultPlan.parseLatency(latency)
            if let throttleBurst { configuration.faults.throttleBurst = try FaultPlan.parseThrottleBurst(throttleBurst) }
        } catch {
            throw ValidationError("\(error)")
        }
        configuration.faults.hangSeconds = hangSeconds
        configuration.rejectedDomains = Set(rejectDomains.map { $0.lowercased() })
        configuration.invalidShare = invalidShare
        configuration.randomSeed = seed
        if let tenant {
            do {
                let (loaded, envelope) = try SandboxTenant.load(path: tenant)
                configuration.tenant = loaded
                if let envelope { configuration.envelope = envelope }
            } catch {
                throw ValidationError("\(error)")
            }
        }
        if let envelope { configuration.envelope = envelope }
        configuration.seedCredentials = try credentials.map { text in
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let provider = Provider(rawValue: parts[0].lowercased()) else {
                throw ValidationError("--credential takes PROVIDER:ID, e.g. google:demo, not '\(text)'")
            }
            return .init(provider: provider, id: parts[1], name: "sandbox \(parts[1])")
        }
        return configuration
    }

    /// A run that works as printed: against the first credential given, or with the one to add.
    func tryLine(_ baseURI: String) throws -> String {
        let seeded = try parsedConfiguration().seedCredentials.first
        let provider = seeded?.provider ?? .google
        let scope = provider == .google ? " --scope https://www.googleapis.com/auth/calendar" : ""
        let line =
            "NYLAS_API_KEY=\(apiKey) bulkgrant run examples/hr-export.csv --api-uri \(baseURI) --provider \(provider.rawValue) --credential-id \(seeded?.id ?? "demo")\(scope) --ledger sandbox-trial.sqlite"
        guard seeded != nil else {
            return "try:     restart with --credential google:demo (the sandbox holds no credential yet), then:\n         " + line
        }
        return "try:     " + line
    }

    func run() async throws {
        let logger = Console.bootstrapLogging(level: .warning)
        let server: SandboxServer
        do {
            server = try await SandboxServer.start(try parsedConfiguration(), logger: logger, handleSignals: true)
        } catch {
            Console.error("\(error)")
            throw Exit.input
        }
        Console.out(
            """
            bulkgrant sandbox listening on \(server.baseURI)
            API key: \(apiKey)   (a sandbox key, not a secret)
            stats:   \(server.baseURI)/__sandbox/stats
            \(try tryLine(server.baseURI))

            """)
        try await server.wait()
    }
}

extension RefusalEnvelope: ExpressibleByArgument {}
