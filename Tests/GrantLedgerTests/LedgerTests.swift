import Foundation
import GRDB
import Logging
import Testing

@testable import GrantLedger

/// A fresh folder per test, removed afterwards.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

let testLogger = Logger(label: "ledger-tests")

@Suite("Ledger")
struct LedgerTests {
    @Test("a new ledger file is created with mode 0600")
    func createdPrivately() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/l.sqlite"
            let ledger = try Ledger.open(path: path, apiIdentity: "https://api.us.nylas.com", logger: testLogger)
            _ = try await ledger.startRun(RunRecord(startedAt: 1, pid: 1, inputPath: nil, inputSHA256: nil, options: nil))
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let walMode = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.posixPermissions] as? Int
            #expect(walMode == 0o600)
            try ledger.close()
        }
    }

    @Test("a second open of a held ledger is refused and names the holder's pid")
    func secondOpenRefused() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/l.sqlite"
            let first = try Ledger.open(path: path, apiIdentity: "x", logger: testLogger)
            let error = #expect(throws: LedgerError.self) {
                _ = try Ledger.open(path: path, apiIdentity: "x", logger: testLogger)
            }
            #expect(error?.code == .locked)
            #expect(error?.message.contains("pid \(getpid())") == true)
            try first.close()
            // Released: the next run gets it.
            let again = try Ledger.open(path: path, apiIdentity: "x", logger: testLogger)
            try again.close()
        }
    }

    @Test("a ledger bound to another API host is refused")
    func otherHostRefused() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/l.sqlite"
            try Ledger.open(path: path, apiIdentity: "https://api.us.nylas.com", logger: testLogger).close()
            let error = #expect(throws: LedgerError.self) {
                _ = try Ledger.open(path: path, apiIdentity: "https://api.eu.nylas.com", logger: testLogger)
            }
            #expect(error?.code == .otherHost)
            #expect(error?.message.contains("api.us.nylas.com") == true)
        }
    }

    @Test("a ledger written by a newer schema is refused")
    func newerSchemaRefused() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/l.sqlite"
            try Ledger.open(path: path, apiIdentity: "x", logger: testLogger).close()
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
            }
            try queue.close()
            let error = #expect(throws: LedgerError.self) {
                _ = try Ledger.open(path: path, apiIdentity: "x", logger: testLogger)
            }
            #expect(error?.code == .newerSchema)
        }
    }

    @Test("a file that is not SQLite is reported as corrupt, not crashed on")
    func corruptFile() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/l.sqlite"
            try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: LedgerError.self) {
                _ = try Ledger.open(path: path, apiIdentity: "x", logger: testLogger)
            }
            #expect(error?.code == .corrupt)
        }
    }

    @Test("updates and their audit rows are durable and readable after reopening")
    func updatesPersist() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/l.sqlite"
            let ledger = try Ledger.open(path: path, apiIdentity: "x", logger: testLogger)
            let run = try await ledger.startRun(RunRecord(startedAt: 1, pid: 1, inputPath: "in.csv", inputSHA256: nil, options: nil))
            let ids = try await ledger.insertPending(emails: ["a@x.example", "b@x.example"], provider: "google", runID: run)
            let a = try #require(ids["a@x.example"])
            let b = try #require(ids["b@x.example"])
            try await ledger.apply([
                UserUpdate(
                    userID: a, state: .granted, grantID: "g-1", credentialID: "c", attemptsDelta: 1, runID: run,
                    attempt: AttemptRecord(
                        userID: a, runID: run, at: 2, call: "POST /v3/connect/custom", outcome: "granted", status: 201,
                        requestID: "r-1", errorType: nil)),
                UserUpdate(
                    userID: b, state: .failed,
                    error: .init(status: 400, type: "api.invalid_request_error", message: "nope", requestID: "r-2"),
                    attemptsDelta: 1, runID: run),
            ])
            try ledger.close()

            let reopened = try Ledger.open(path: path, apiIdentity: "x", logger: testLogger)
            let recordA = try #require(try await reopened.user(provider: "google", email: "a@x.example"))
            #expect(recordA.state == .granted)
            #expect(recordA.grantID == "g-1")
            #expect(recordA.attempts == 1)
            let recordB = try #require(try await reopened.user(provider: "google", email: "b@x.example"))
            #expect(recordB.state == .failed)
            #expect(recordB.lastErrorType == "api.invalid_request_error")
            #expect(recordB.lastRequestID == "r-2")
            #expect(try await reopened.attempts(userID: a).map(\.requestID) == ["r-1"])
            #expect(try await reopened.stateCounts() == [.granted: 1, .failed: 1])
            #expect(try await reopened.integrityCheck() == "ok")
            try reopened.close()
        }
    }

    @Test("concurrent writers share transactions (group commit)")
    func groupCommit() async throws {
        try await withTemporaryDirectory { dir in
            let ledger = try Ledger.open(path: dir + "/l.sqlite", apiIdentity: "x", logger: testLogger)
            let run = try await ledger.startRun(RunRecord(startedAt: 1, pid: 1, inputPath: nil, inputSHA256: nil, options: nil))
            let emails = (0..<640).map { "u\($0)@x.example" }
            let ids = try await ledger.insertPending(emails: emails, provider: "google", runID: run)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in ids.values {
                    group.addTask {
                        try await ledger.apply([UserUpdate(userID: id, state: .inFlight, runID: run)])
                        try await ledger.apply([UserUpdate(userID: id, state: .granted, grantID: "g\(id)", runID: run)])
                    }
                }
                try await group.waitForAll()
            }
            let statistics = await ledger.writerStatistics()
            #expect(statistics.updates == 1280)
            // One transaction per update would be 1,280 commits; grouping must do far fewer.
            #expect(statistics.commits < 640)
            #expect(try await ledger.stateCounts() == [.granted: 640])
            try ledger.close()
        }
    }

    @Test("a read-only open neither locks nor changes the file")
    func readOnlyOpen() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/l.sqlite"
            let writer = try Ledger.open(path: path, apiIdentity: "x", logger: testLogger)
            let run = try await writer.startRun(RunRecord(startedAt: 1, pid: 1, inputPath: nil, inputSHA256: nil, options: nil))
            _ = try await writer.insertPending(emails: ["a@x.example"], provider: "google", runID: run)
            let reader = try Ledger.openReadOnly(path: path, logger: testLogger)
            #expect(try await reader.stateCounts() == [.pending: 1])
            try reader.close()
            try writer.close()
        }
    }
}
