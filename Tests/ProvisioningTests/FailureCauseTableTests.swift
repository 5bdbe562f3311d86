import Foundation
import GrantLedger
import Logging
import NylasAPI
import NylasSandbox
import Testing

@testable import Provisioning

/// Every row of the failure catalogue, produced by the sandbox's tenant model over real
/// sockets in more than one of the ways Nylas may wrap a provider's refusal, run through the
/// real engine and ledger: the cause id, the state each user ends in, the calls made and the fix.
@Suite("failure causes, end to end in process", .serialized)
struct FailureCauseTableTests {
    /// One misconfiguration of the tenant and what it must come to.
    struct Row: Sendable, CustomStringConvertible {
        var cause: String
        var provider: Provider
        /// Users hit by the cause: a user-reach row fails just them; a credential-wide one hits all.
        var change: @Sendable (inout SandboxTenant, _ victim: String) -> Void
        var credentialWide: Bool
        /// Words the fix must hold.
        var fix: String
        /// The run's Google scopes, when the row is about them.
        var scopes: [String]? = nil
        var description: String { cause }
    }

    static let rows: [Row] = [
        Row(cause: "google.delegation_missing", provider: .google, change: { t, _ in t.google.delegatedScopes = [] }, credentialWide: true, fix: "109876543210987654321"),
        Row(cause: "google.key_invalid", provider: .google, change: { t, _ in t.google.key = .deleted }, credentialWide: true, fix: "Keys"),
        Row(cause: "google.service_account_deleted", provider: .google, change: { t, _ in t.google.serviceAccount = .deleted }, credentialWide: true, fix: "Service accounts"),
        Row(cause: "google.service_account_disabled", provider: .google, change: { t, _ in t.google.serviceAccount = .disabled }, credentialWide: true, fix: "enable"),
        Row(cause: "google.invalid_scope", provider: .google, change: { _, _ in }, credentialWide: true, fix: "full URL", scopes: ["calendar"]),
        Row(cause: "google.access_denied", provider: .google, change: { t, _ in t.google.appBlocked = true }, credentialWide: true, fix: "App access control"),
        Row(cause: "google.user_not_found", provider: .google, change: { t, v in t.google.users[v] = .suspended }, credentialWide: false, fix: "Directory"),
        Row(cause: "google.service_disabled", provider: .google, change: { t, v in t.google.users[v] = .noService }, credentialWide: false, fix: "Service status"),
        Row(cause: "microsoft.consent_missing", provider: .microsoft, change: { t, _ in t.microsoft.consentedAt = nil }, credentialWide: true, fix: "bulkgrant consent url --credential-id cred-ms"),
        Row(cause: "microsoft.app_not_in_tenant", provider: .microsoft, change: { t, _ in t.microsoft.appRegistered = false }, credentialWide: true, fix: "tenant"),
        Row(cause: "microsoft.secret_invalid", provider: .microsoft, change: { t, _ in t.microsoft.secret = .wrong }, credentialWide: true, fix: "not the Secret ID"),
        Row(cause: "microsoft.secret_expired", provider: .microsoft, change: { t, _ in t.microsoft.secret = .expired }, credentialWide: true, fix: "new client secret"),
        Row(cause: "microsoft.tenant_not_found", provider: .microsoft, change: { t, _ in t.microsoft.tenantExists = false }, credentialWide: true, fix: "Tenant ID"),
        Row(cause: "microsoft.permission_missing", provider: .microsoft, change: { t, _ in t.microsoft.permissions = ["Mail.ReadWrite"] }, credentialWide: true, fix: "API permissions"),
        Row(cause: "microsoft.access_policy", provider: .microsoft, change: { t, v in t.microsoft.accessPolicyAllows = Set(FailureCauseTableTests.users.filter { $0 != v }) }, credentialWide: false, fix: "Test-ApplicationAccessPolicy"),
        Row(cause: "microsoft.mailbox_not_enabled", provider: .microsoft, change: { t, v in t.microsoft.users[v] = .onPremises }, credentialWide: false, fix: "Exchange Online"),
        Row(cause: "microsoft.account_disabled", provider: .microsoft, change: { t, v in t.microsoft.users[v] = .disabled }, credentialWide: false, fix: "enable the account"),
        Row(cause: "microsoft.user_not_found", provider: .microsoft, change: { t, v in t.microsoft.users[v] = .unknown }, credentialWide: false, fix: "admin center"),
    ]

    static let users = (0..<8).map { "user\($0)@acme.example" }
    static let victim = users[2]
    static let envelopes: [RefusalEnvelope] = RefusalEnvelope.allCases

    /// The catalogue's provider rows are all here.
    @Test("the table covers every provider row of the catalogue")
    func coversCatalogue() {
        let covered = Set(Self.rows.map(\.cause))
        for row in FailureCatalogue.catalogue where row.provider != nil {
            #expect(covered.contains(row.cause), "no tenant row produces \(row.cause)")
        }
    }

    @Test("each cause in each envelope: its id, the users' states, the calls made, the fix", arguments: rows, envelopes)
    func cause(row: Row, envelope: RefusalEnvelope) async throws {
        var tenant = SandboxTenant()
        row.change(&tenant, Self.victim)
        let outcome = try await Self.run(provider: row.provider, tenant: tenant, envelope: envelope, scopes: row.scopes)
        let reason = try #require(outcome.report.failureReasons.first { $0.cause == row.cause }, "\(outcome.report.failureReasons)")
        #expect(reason.fix?.contains(row.fix) == true, "fix: \(reason.fix ?? "none")")
        if row.credentialWide {
            // Concurrency 1, --stop-after 3: exactly three calls, then the run stops, exit 3.
            #expect(outcome.posts == 3)
            #expect(outcome.report.exitCode == 3)
            #expect(outcome.report.stopReason?.contains(row.cause) == true)
            #expect(outcome.states.values.allSatisfy { $0 == .pending }, "\(outcome.states)")
            #expect(outcome.causes.values.filter { $0 == row.cause }.count == 3)
        } else {
            // One call for the user, who fails; everyone else is granted; the run goes on.
            #expect(outcome.posts == Self.users.count)
            #expect(outcome.report.exitCode == 1)
            #expect(outcome.states[Self.victim] == .failed)
            #expect(outcome.causes[Self.victim] == row.cause)
            #expect(outcome.states.filter { $0.key != Self.victim }.values.allSatisfy { $0 == .granted })
        }
    }

    @Test("Nylas's own refusals (key, credential, its type) stop at the first answer")
    func nylasRefusals() async throws {
        let unknown = try await Self.run(provider: .google, tenant: SandboxTenant(), envelope: .providerObject, credential: "cred-gone")
        #expect(unknown.posts == 1 && unknown.report.exitCode == 3)
        #expect(unknown.report.stopReason?.contains("nylas.credential_not_found") == true)
        #expect(unknown.states.values.allSatisfy { $0 == .pending })
        // The first run lists existing grants before anything else: the refused key stops it there.
        let key = try await Self.run(provider: .google, tenant: SandboxTenant(), envelope: .providerObject, key: "wrong-key")
        #expect(key.posts == 0 && key.report.exitCode == 3)
        #expect(key.report.stopReason?.contains("nylas.api_key_rejected") == true)
    }

    struct Outcome {
        var report: RunReport
        var posts: Int
        var states: [String: UserState]
        var causes: [String: String]
    }

    static func run(
        provider: Provider, tenant: SandboxTenant, envelope: RefusalEnvelope, credential: String? = nil,
        key: String = "cause-key", scopes: [String]? = nil
    ) async throws -> Outcome {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cause-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var configuration = SandboxConfiguration()
        configuration.apiKey = "cause-key"
        configuration.rateLimit = 0
        configuration.tenant = tenant
        configuration.envelope = envelope
        configuration.seedCredentials = [
            .init(provider: .google, id: "cred-g", name: "g"), .init(provider: .microsoft, id: "cred-ms", name: "ms"),
        ]
        let server = try await SandboxServer.start(configuration, logger: logger)
        let input = dir + "/export.csv"
        try ("Email\n" + users.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        var engine = EngineConfiguration(provider: provider, credentialID: credential ?? (provider == .google ? "cred-g" : "cred-ms"))
        engine.scopes = provider == .google ? scopes ?? ["https://www.googleapis.com/auth/calendar"] : []
        engine.concurrency = 1
        engine.rate = 1000
        engine.serviceAccountClientID = "109876543210987654321"
        var options = RunOptions(inputPath: input, engine: engine)
        options.adoptExisting = false
        var clientConfiguration = NylasClientConfiguration(endpoint: try APIEndpoint(server.baseURI), apiKey: APIKey(key))
        clientConfiguration.maxConnections = 2
        let client = NylasClient(configuration: clientConfiguration, logger: logger)
        let ledger = try Ledger.open(path: dir + "/ledger.sqlite", apiIdentity: "loopback-sandbox", logger: logger)
        let report = try await ProvisioningRun(
            options: options, client: client, ledger: ledger, control: RunControl(), logger: logger
        ).execute()
        var states: [String: UserState] = [:]
        var causes: [String: String] = [:]
        for record in try await ledger.records(provider: provider.rawValue) {
            states[record.email] = record.state
            if let cause = record.cause { causes[record.email] = cause }
        }
        try ledger.close()
        try await client.shutdown()
        await server.state.settled()
        let posts = await server.state.stats().count("POST", "/v3/connect/custom")
        await server.stop()
        return Outcome(report: report, posts: posts, states: states, causes: causes)
    }
}
