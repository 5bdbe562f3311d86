import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import SandboxTestSupport
import Testing

@testable import Onboarding

@Suite("OnboardingTests doctor")
struct DoctorLibraryTests {
    // MARK: Clock, with a fake clock

    static let serverTime = Date(timeIntervalSince1970: 1_780_000_000)

    @Test func aClockInStepWithTheServerPasses() {
        let check = ClockCheck().check(now: Self.serverTime.addingTimeInterval(42), serverDate: Self.serverTime)
        #expect(check.status == .pass)
        #expect(check.detail == "within 42 s of the API server's clock")
    }

    @Test func aClockMoreThanFiveMinutesOffFailsSayingByHowMuch() {
        let ahead = ClockCheck().check(now: Self.serverTime.addingTimeInterval(432), serverDate: Self.serverTime)
        #expect(ahead.status == .fail)
        #expect(ahead.detail.contains("7 min 12 s ahead of the API server's clock"), "\(ahead.detail)")
        #expect(ahead.detail.contains("JWT assertions and tokens fail"))
        #expect(ahead.fix?.contains("NTP") == true)
        let behind = ClockCheck().check(now: Self.serverTime.addingTimeInterval(-7200), serverDate: Self.serverTime)
        #expect(behind.status == .fail)
        #expect(behind.detail.contains("2 h behind"), "\(behind.detail)")
    }

    @Test func anImplausibleYearFailsEvenWithoutTheServer() {
        let check = ClockCheck().check(now: Date(timeIntervalSince1970: 0), serverDate: nil)
        #expect(check.status == .fail)
        #expect(check.detail.contains("1970-01-01T00:00:00Z, which cannot be right"))
    }

    @Test func withoutAServerDateTheClockPassesOnItsYearAndSaysSo() {
        let check = ClockCheck().check(now: Self.serverTime, serverDate: nil, serverNote: "no answer")
        #expect(check.status == .pass)
        #expect(check.detail.contains("(no answer)"))
    }

    @Test func theServerDateHeaderIsParsed() {
        #expect(ServerClock.parse("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(ServerClock.parse("yesterday") == nil)
    }

    // MARK: Against a sandbox

    /// Runs the doctor against a fresh sandbox with a ledger in a folder of its own.
    func doctor(
        provider: Provider? = .google, credentialID: String? = Seed.google, key: String? = nil,
        ledger: (String) throws -> String = { $0 + "/bulkgrant.sqlite" },
        inspect body: (DoctorReport, String) async throws -> Void = { _, _ in },
        before: (String, NylasClient) async throws -> String? = { _, _ in nil }
    ) async throws -> DoctorReport {
        let configuration = sandboxConfiguration()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try await withSandbox(configuration) { server, client in
            let ledgerPath = try ledger(folder)
            let createdID = try await before(ledgerPath, client)
            var settings = Doctor.Configuration(
                endpoint: try APIEndpoint(server.baseURI), apiKey: .success(APIKey(key ?? configuration.apiKey)),
                apiKeySource: "NYLAS_API_KEY")
            settings.provider = provider
            settings.credentialID = createdID ?? credentialID
            settings.ledgerPath = ledgerPath
            // Generous: a loaded machine must not turn an answer into a timeout.
            settings.requestTimeout = 30
            let report = await Doctor(configuration: settings, logger: quietLogger).run()
            try await body(report, ledgerPath)
            return report
        }
    }

    func check(_ report: DoctorReport, _ id: String) throws -> DoctorCheck {
        try #require(report.checks.first { $0.id == id }, "\(report.checks.map(\.line))")
    }

    @Test func everyCheckPassesOnAHealthySetupAndTheLedgerIsLeftAsItWas() async throws {
        var before = Data()
        let report = try await doctor(
            inspect: { report, path in
                let after = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(after == before)
                #expect(!FileManager.default.fileExists(atPath: path + ".lock"))
            },
            before: { path, client in
                let ledger = try Ledger.open(path: path, apiIdentity: client.configuration.endpoint.identity, logger: quietLogger)
                try ledger.close()
                try FileManager.default.removeItem(atPath: path + ".lock")
                before = try Data(contentsOf: URL(fileURLWithPath: path))
                return nil
            })
        #expect(report.passed, "\(report.checks.map(\.line))")
        #expect(report.checks.map(\.id) == [
            "api_key.present", "api_key.accepted", "connector", "credential", "ledger.readable", "ledger.writable",
            "ledger.lock", "clock",
        ])
        #expect(report.checks.allSatisfy { $0.status == .pass })
        #expect(try check(report, "clock").detail.contains("of the API server's clock"))
        #expect(try check(report, "credential").detail.contains("serviceaccount"))
    }

    @Test func anAbsentLedgerWillBeCreatedAndTheDoctorCreatesNothing() async throws {
        let report = try await doctor(inspect: { report, path in
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(!FileManager.default.fileExists(atPath: path + ".lock"))
        })
        #expect(report.passed)
        #expect(try check(report, "ledger.readable").detail.contains("does not exist yet"))
        #expect(try check(report, "ledger.writable").detail.contains("will be created"))
    }

    @Test func aLedgerHeldByARunFailsNamingItsPid() async throws {
        var held: Ledger?
        let report = try await doctor(before: { path, client in
            held = try Ledger.open(path: path, apiIdentity: client.configuration.endpoint.identity, logger: quietLogger)
            return nil
        })
        try held?.close()
        #expect(!report.passed)
        let lock = try check(report, "ledger.lock")
        #expect(lock.status == .fail)
        #expect(lock.detail.contains("held by bulkgrant pid \(getpid())"), "\(lock.detail)")
        #expect(lock.fix?.contains("wait for it to finish") == true)
        // Being held does not make it unreadable.
        #expect(try check(report, "ledger.readable").status == .pass)
    }

    @Test func aLedgerOfAnotherHostFails() async throws {
        let report = try await doctor(before: { path, _ in
            try Ledger.open(path: path, apiIdentity: "https://api.eu.nylas.com", logger: quietLogger).close()
            return nil
        })
        let readable = try check(report, "ledger.readable")
        #expect(readable.status == .fail)
        #expect(readable.detail.contains("belongs to API host https://api.eu.nylas.com, not loopback-sandbox"))
    }

    @Test func aLedgerInAMissingFolderFailsWithMkdir() async throws {
        let report = try await doctor(ledger: { $0 + "/no/such/folder/bulkgrant.sqlite" })
        let writable = try check(report, "ledger.writable")
        #expect(writable.status == .fail)
        #expect(writable.fix?.contains("mkdir -p") == true)
    }

    @Test func aWrongKeySkipsTheChecksThatNeedItAndNamesTheRegion() async throws {
        let report = try await doctor(key: "wrong-key-of-another-region")
        let accepted = try check(report, "api_key.accepted")
        #expect(accepted.status == .fail)
        #expect(accepted.detail.contains("HTTP 401"))
        #expect(accepted.fix?.contains("--region us or --region eu") == true)
        #expect(try check(report, "connector").status == .skip)
        #expect(try check(report, "credential").detail == "skipped: the API key was not accepted")
        // The server still answered: its clock was compared.
        #expect(try check(report, "clock").detail.contains("of the API server's clock"))
        #expect(report.summary == "1 of 8 checks failed, 2 skipped")
    }

    @Test func theRegionHintNamesTheOtherRegion() {
        #expect(DoctorAPIChecks.regionHint(.us).contains("a key of the eu region answers 401 in us; try --region eu"))
        #expect(DoctorAPIChecks.regionHint(.eu).contains("a key of the us region answers 401 in eu; try --region us"))
    }

    @Test func aMissingAPIKeyIsTheFirstFailure() async throws {
        try await withSandbox { server, _ in
            var settings = Doctor.Configuration(
                endpoint: try APIEndpoint(server.baseURI),
                apiKey: .failure(NylasError(code: .missingAPIKey, call: "configuration", message: "no API key")),
                apiKeySource: "NYLAS_API_KEY")
            settings.ledgerPath = FileManager.default.temporaryDirectory.path + "/absent-\(UUID().uuidString).sqlite"
            let report = await Doctor(configuration: settings, logger: quietLogger).run()
            #expect(report.checks[0].status == .fail)
            #expect(report.checks[0].fix == "set NYLAS_API_KEY or pass --api-key-file FILE")
            #expect(report.checks[1...3].allSatisfy { $0.status == .skip && $0.detail == "skipped: no API key" })
            // The server's Date needs no key: the clock is still compared.
            #expect(report.checks.last?.detail.contains("of the API server's clock") == true)
            #expect(await server.state.stats().count("GET", "/v3/connectors", status: 200) == 0)
        }
    }

    @Test func anUnknownCredentialAndOneOfTheWrongTypeFail() async throws {
        let missing = try await doctor(credentialID: "no-such-credential")
        let notFound = try check(missing, "credential")
        #expect(notFound.status == .fail)
        #expect(notFound.detail.contains("not found for google"))
        #expect(notFound.fix?.contains("bulkgrant credentials list --provider google") == true)

        let wrong = try await doctor(before: { _, client in
            try await client.createCredential(
                provider: .google,
                CreateCredentialRequest(
                    name: "connector override", credentialType: .connector,
                    credentialData: ["client_id": "1234.apps.googleusercontent.com", "client_secret": "not-a-real-secret"])
            ).id
        })
        let wrongType = try check(wrong, "credential")
        #expect(wrongType.status == .fail)
        #expect(wrongType.detail.contains("is of type connector; google bulk authentication needs serviceaccount"), "\(wrongType.detail)")
        #expect(wrongType.fix?.contains("bulkgrant credentials create google") == true)
    }

    @Test func withoutACredentialIDTheProvidersCredentialsAreListed() async throws {
        let report = try await doctor(credentialID: nil)
        let credentials = try check(report, "credential")
        #expect(credentials.status == .pass)
        #expect(credentials.detail.contains("1 serviceaccount credential: \(Seed.google) (seeded google)"), "\(credentials.detail)")
    }

    @Test func aMissingConnectorFailsAndSkipsTheCredential() async throws {
        let configuration = sandboxConfiguration { $0.connectors = [.microsoft] }
        try await withSandbox(configuration) { server, _ in
            var settings = Doctor.Configuration(
                endpoint: try APIEndpoint(server.baseURI), apiKey: .success(APIKey(configuration.apiKey)),
                apiKeySource: "NYLAS_API_KEY")
            settings.provider = .google
            settings.credentialID = Seed.google
            settings.ledgerPath = FileManager.default.temporaryDirectory.path + "/absent-\(UUID().uuidString).sqlite"
            let report = await Doctor(configuration: settings, logger: quietLogger).run()
            let connector = try check(report, "connector")
            #expect(connector.status == .fail)
            #expect(connector.detail == "the application has no google connector (it has: microsoft)")
            #expect(connector.fix?.contains("bulkgrant connectors create google") == true)
            #expect(try check(report, "credential").detail == "skipped: the application has no google connector")
        }
    }
}
