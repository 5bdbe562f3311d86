import Foundation
import Logging
import NylasAPI

/// The preflight checks of `bulkgrant doctor`, in order: API key present and accepted,
/// connector, credential, ledger, clock. A check that needs an earlier one to have passed is
/// reported as skipped, saying why, instead of failing a second time for the same cause.
public struct Doctor: Sendable {
    public struct Configuration: Sendable {
        public var endpoint: APIEndpoint
        /// The key, or why there is none (as `APIKey.load` reports it).
        public var apiKey: Result<APIKey, NylasError>
        /// Where the key came from, for the first line: `NYLAS_API_KEY` or `--api-key-file F`.
        public var apiKeySource: String
        public var provider: Provider?
        public var credentialID: String?
        /// A user to authenticate for real (`--canary`), with the run's Google scopes.
        public var canary: String?
        public var scopes: [String] = []
        public var ledgerPath: String = "bulkgrant.sqlite"
        public var requestTimeout: Double = 15
        public var clock = ClockCheck()
        /// The system clock; a test may pass another.
        public var now: @Sendable () -> Date = { Date() }

        public init(endpoint: APIEndpoint, apiKey: Result<APIKey, NylasError>, apiKeySource: String) {
            self.endpoint = endpoint
            self.apiKey = apiKey
            self.apiKeySource = apiKeySource
        }
    }

    public var configuration: Configuration
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs every check. Never throws: what fails is a line of the report.
    public func run() async -> DoctorReport {
        var checks: [DoctorCheck] = []
        var reachable = true
        switch configuration.apiKey {
        case .failure(let error):
            checks.append(.fail("api_key.present", "API key present", error.message, fix: "set NYLAS_API_KEY or pass --api-key-file FILE"))
            checks.append(.skip("api_key.accepted", "API key accepted", "no API key"))
            checks += apiSkips("no API key")
        case .success(let key):
            checks.append(.pass("api_key.present", "API key present", "from \(configuration.apiKeySource)"))
            var client = NylasClientConfiguration(endpoint: configuration.endpoint, apiKey: key)
            client.requestTimeout = configuration.requestTimeout
            client.connectTimeout = min(10, configuration.requestTimeout)
            client.maxConnections = 2
            let nylas = NylasClient(configuration: client, logger: logger)
            let api = DoctorAPIChecks(
                client: nylas, endpoint: configuration.endpoint, provider: configuration.provider,
                credentialID: configuration.credentialID)
            let result = await api.checks()
            checks += result.checks
            if let canary = configuration.canary {
                checks.append(await canaryCheck(canary, client: nylas, after: result.checks))
            }
            try? await nylas.shutdown()
            reachable = result.reachable
        }
        let probe = LedgerProbe(
            path: configuration.ledgerPath, apiIdentity: configuration.endpoint.identity, logger: logger)
        checks += await probe.checks()
        let serverDate = reachable
            ? await ServerClock.date(at: configuration.endpoint, timeout: configuration.requestTimeout) : nil
        checks.append(
            configuration.clock.check(
                now: configuration.now(), serverDate: serverDate,
                serverNote: reachable ? nil : "the API server could not be reached to compare with"))
        return DoctorReport(checks: checks)
    }

    /// The canary, once the credential check passed.
    private func canaryCheck(_ email: String, client: NylasClient, after earlier: [DoctorCheck]) async -> DoctorCheck {
        let title = "custom authentication of \(email)"
        guard let provider = configuration.provider, let credentialID = configuration.credentialID else {
            return .skip(DoctorCanary.id, title, "--canary needs --provider and --credential-id")
        }
        guard earlier.allSatisfy({ $0.status == .pass }) else {
            return .skip(DoctorCanary.id, title, "an earlier check failed")
        }
        let facts = await LedgerProbe.credentialFacts(
            path: configuration.ledgerPath, id: credentialID, logger: logger)
        let context = DiagnosisContext(
            provider: provider, credentialID: credentialID, scopes: configuration.scopes,
            serviceAccountClientID: provider == .google ? facts?.clientID : nil, serviceAccountEmail: facts?.clientEmail,
            azureClientID: provider == .microsoft ? facts?.clientID : nil)
        return await DoctorCanary(
            client: client, provider: provider, credentialID: credentialID, email: email, scopes: configuration.scopes,
            context: context
        ).check()
    }

    private func apiSkips(_ why: String) -> [DoctorCheck] {
        DoctorAPIChecks.titles(provider: configuration.provider, credentialID: configuration.credentialID).map { .skip($0.id, $0.title, why) }
    }
}
