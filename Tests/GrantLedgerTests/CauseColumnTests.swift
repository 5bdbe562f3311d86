import Foundation
import GRDB
import Logging
import Testing

@testable import GrantLedger

/// The failure cause of each user in a real SQLite ledger: recorded with the error, its streak
/// across runs, and the failed users that sit runs out.
@Suite("ledger: failure causes")
struct CauseColumnTests {
    static func ledger() throws -> (Ledger, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cause-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return (try Ledger.open(path: dir + "/l.sqlite", apiIdentity: "test", logger: logger), dir)
    }

    static func run(_ ledger: Ledger) async throws -> Int64 {
        let id = try await ledger.startRun(
            RunRecord(startedAt: Date().timeIntervalSince1970, pid: 1, inputPath: nil, inputSHA256: nil, options: nil))
        try await ledger.recordExport(runID: id, provider: "google", organisation: nil, exportUsers: 1)
        return id
    }

    static func fail(_ ledger: Ledger, _ id: Int64, run: Int64, cause: String) async throws {
        try await ledger.apply([
            UserUpdate(
                userID: id, state: .failed,
                error: .init(status: 400, type: "api.provider_error", message: "m", requestID: nil, cause: cause), runID: run)
        ])
    }

    @Test("the same cause run after run grows the streak; users rest 1, then 3, then 7 runs; a grant clears it")
    func streakAndRest() async throws {
        let (ledger, dir) = try Self.ledger()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var run = try await Self.run(ledger)
        let ids = try await ledger.insertPending(emails: ["a@x.example", "b@x.example"], provider: "google", runID: run)
        let a = ids["a@x.example"]!
        let b = ids["b@x.example"]!
        try await Self.fail(ledger, a, run: run, cause: "google.user_not_found")
        try await Self.fail(ledger, b, run: run, cause: "google.user_not_found")
        #expect(try await ledger.restingUsers(provider: "google").isEmpty, "one failure: tried again next run")

        run = try await Self.run(ledger)
        try await Self.fail(ledger, a, run: run, cause: "google.user_not_found")
        try await Self.fail(ledger, b, run: run, cause: "google.service_disabled")
        var resting = try await ledger.restingUsers(provider: "google")
        #expect(resting.map(\.id) == [a], "b changed cause: its streak starts again")
        #expect(resting.first?.streak == 2 && resting.first?.runsToWait == 1)
        #expect(try await ledger.user(provider: "google", email: "a@x.example")?.cause == "google.user_not_found")

        run = try await Self.run(ledger)  // a rests
        #expect(try await ledger.restingUsers(provider: "google").isEmpty, "one run has passed: a is tried")
        try await Self.fail(ledger, a, run: run, cause: "google.user_not_found")
        resting = try await ledger.restingUsers(provider: "google")
        #expect(resting.first?.streak == 3 && resting.first?.runsToWait == 3)

        try await ledger.apply([UserUpdate(userID: a, state: .granted, grantID: "g", clearsError: true, runID: run)])
        #expect(try await ledger.restingUsers(provider: "google").isEmpty)
        #expect(try await ledger.user(provider: "google", email: "a@x.example")?.cause == nil)
        #expect(Ledger.restRuns(streak: 9) == 7)
        try ledger.close()
    }

    @Test("failure reasons group a recognised cause once, and unrecognised answers by their text")
    func reasonsByCause() async throws {
        let (ledger, dir) = try Self.ledger()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try await Self.run(ledger)
        let emails = (0..<5).map { "u\($0)@x.example" }
        let ids = try await ledger.insertPending(emails: emails, provider: "google", runID: run)
        for (index, email) in emails.enumerated() {
            let message = "Invalid email or User ID for \(email)"
            try await ledger.apply([
                UserUpdate(
                    userID: ids[email]!, state: .failed,
                    error: .init(
                        status: 504, type: "api.provider_error", message: index < 3 ? message : "odd \(index)",
                        requestID: nil, cause: index < 3 ? "google.user_not_found" : "http.400"), runID: run)
            ])
        }
        let reasons = try await ledger.failureReasons()
        #expect(reasons.count == 3)
        #expect(reasons.first?.cause == "google.user_not_found" && reasons.first?.count == 3)
        #expect(reasons.dropFirst().allSatisfy { $0.cause == nil && $0.count == 1 })
        try ledger.close()
    }

    @Test("what credentials create noted is read back by id")
    func credentialFacts() async throws {
        let (ledger, dir) = try Self.ledger()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await ledger.recordCredential(
            CredentialFacts(id: "c1", provider: "google", clientID: "123", clientEmail: "sa@p.iam.gserviceaccount.com", keyID: "k1"))
        try await ledger.recordCredential(CredentialFacts(id: "c1", provider: "google", clientID: "456", keyID: "k2"))
        let facts = try await ledger.credentialFacts(id: "c1")
        #expect(facts?.clientID == "456" && facts?.keyID == "k2")
        #expect(try await ledger.credentialFacts(id: "nope") == nil)
        try ledger.close()
    }
}
