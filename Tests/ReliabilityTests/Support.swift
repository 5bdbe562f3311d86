import Foundation
import GrantLedger
import Logging
import NylasAPI
import NylasSandbox
import Testing
@_exported import ProcessTestSupport

// Helpers of the reliability suite: a sandbox with an event log, temporary folders and readers
// of ledger files. Running processes is ProcessTestSupport's, shared with the other suites.

/// Runs the built `bulkgrant`.
///
/// At a lower priority: `swift test` runs this suite beside every other target's tests, whose
/// in-process sandboxes and one-second timeouts need the CPU more than these runs do.
func runBinary(
    _ arguments: [String], environment: [String: String] = [:], in directory: String, stdin: String? = nil,
    pid: PIDBox? = nil
) async throws -> ProcessResult {
    try await runProcess(
        binaryPath(), arguments, environment: environment, in: directory, stdin: stdin.map { .text($0) } ?? .none,
        pid: pid, lowPriority: true)
}

/// Runs a `/bin/sh -c` script, with `$BULKGRANT` naming the binary.
func runShell(_ script: String, environment: [String: String] = [:], in directory: String) async throws
    -> ProcessResult
{
    var env = environment
    env["BULKGRANT"] = binaryPath()
    return try await runProcess("/bin/sh", ["-c", script], environment: env, in: directory, lowPriority: true)
}

/// A temporary folder for one test, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("reliability-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let target = file(name)
        guard FileManager.default.createFile(atPath: target, contents: data) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return target
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// An export of `count` users at acme.example: `Name,Email` with a header.
func exportText(count: Int, from first: Int = 0) -> String {
    var lines = ["Name,Email"]
    for index in first..<(first + count) { lines.append("\"User, \(index)\",user\(index)@acme.example") }
    return lines.joined(separator: "\n") + "\n"
}

func email(_ index: Int) -> String { "user\(index)@acme.example" }

let sandboxKey = "reliability-sandbox-key"
let credentialID = "cred-reliability"
let calendarScope = "https://www.googleapis.com/auth/calendar"
let quietLogger: Logger = {
    var logger = Logger(label: "reliability")
    logger.logLevel = .critical
    return logger
}()

/// Every event a sandbox reported, with when it happened, and a way to wait for one.
final class EventLog: @unchecked Sendable {
    struct Entry: Sendable {
        var at: ContinuousClock.Instant
        var event: SandboxEvent
    }

    private let lock = NSLock()
    private var entries: [Entry] = []
    private var waiters: [UUID: (predicate: @Sendable ([Entry]) -> Bool, continuation: CheckedContinuation<Bool, Never>)] = [:]

    func record(_ event: SandboxEvent) {
        let ready: [CheckedContinuation<Bool, Never>] = lock.withLock {
            entries.append(Entry(at: .now, event: event))
            let met = waiters.filter { $0.value.predicate(entries) }
            for key in met.keys { waiters.removeValue(forKey: key) }
            return met.map(\.value.continuation)
        }
        for continuation in ready { continuation.resume(returning: true) }
    }

    var all: [Entry] { lock.withLock { entries } }

    /// Answers of `method path`, in order, with their status (0: lost).
    func answers(_ method: String, _ path: String) -> [(at: ContinuousClock.Instant, status: Int)] {
        all.compactMap { entry in
            if case .answered(method, path, let status) = entry.event { return (entry.at, status) }
            return nil
        }
    }

    /// When each call of `method path` arrived, in order.
    func received(_ method: String, _ path: String) -> [ContinuousClock.Instant] {
        all.compactMap { entry in
            if case .received(method, path) = entry.event { return entry.at }
            return nil
        }
    }

    /// Waits until `predicate` holds of the events so far; false when `timeout` passed first
    /// (a guard against a hung test, not a way to let time pass).
    func wait(timeout: Duration = .seconds(30), until predicate: @escaping @Sendable ([Entry]) -> Bool) async -> Bool {
        let id = UUID()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let now: Bool = lock.withLock {
                if predicate(entries) { return true }
                waiters[id] = (predicate, continuation)
                return false
            }
            if now {
                continuation.resume(returning: true)
                return
            }
            Task {
                try? await Task.sleep(for: timeout)
                let expired = self.lock.withLock { self.waiters.removeValue(forKey: id) }
                expired?.continuation.resume(returning: false)
            }
        }
    }
}

/// A sandbox with the suite's key and credential, reporting its events to `log`.
func startSandbox(
    rateLimit: Double = 0, faults: FaultPlan = FaultPlan(), rejected: Set<String> = [], apiKey: String = sandboxKey,
    connectors: [Provider] = [.google, .microsoft], log: EventLog? = nil,
    observer: (@Sendable (SandboxEvent) -> Void)? = nil
) async throws -> SandboxServer {
    var configuration = SandboxConfiguration()
    configuration.connectors = connectors
    configuration.apiKey = apiKey
    configuration.rateLimit = rateLimit
    configuration.faults = faults
    configuration.rejectedDomains = rejected
    configuration.seedCredentials = [.init(provider: .google, id: credentialID, name: "reliability")]
    configuration.observer = { event in
        log?.record(event)
        observer?(event)
    }
    return try await SandboxServer.start(configuration, logger: quietLogger)
}

/// The `run` arguments against `server`.
func runArguments(_ input: String, ledger: String, server: SandboxServer, extra: [String] = []) -> [String] {
    [
        "run", input, "--provider", "google", "--credential-id", credentialID, "--scope", calendarScope,
        "--ledger", ledger, "--api-uri", server.baseURI, "--no-progress",
    ] + extra
}

/// Every user's record in a ledger file, by email.
func ledgerRecords(_ path: String) async throws -> [String: UserRecord] {
    let ledger = try Ledger.openReadOnly(path: path, logger: quietLogger)
    defer { try? ledger.close() }
    var records: [String: UserRecord] = [:]
    for record in try await ledger.records() { records[record.email] = record }
    return records
}

/// Every user's state in a ledger file, by email.
func ledgerStates(_ path: String) async throws -> [String: UserState] {
    try await ledgerRecords(path).mapValues(\.state)
}

/// `PRAGMA integrity_check` of a ledger file.
func integrity(_ path: String) async throws -> String {
    let ledger = try Ledger.openReadOnly(path: path, logger: quietLogger)
    defer { try? ledger.close() }
    return try await ledger.integrityCheck()
}

/// The `--json` summary a run printed, decoded loosely.
func jsonSummary(_ result: ProcessResult) -> [String: Any] {
    guard let line = result.stdout.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    else { return [:] }
    return object
}

extension Dictionary where Key == String, Value == Any {
    func int(_ key: String) -> Int? { (self[key] as? NSNumber)?.intValue }
}

/// Whether this process runs as root, for whom file modes do not stop reading or writing.
var runningAsRoot: Bool { geteuid() == 0 }

/// The reliability suite, one test at a time: its tests start binaries, sandboxes and a soak, and
/// run beside every other target's tests in `swift test`; one at a time they leave those tests
/// the CPU their timeouts count on.
@Suite("reliability", .serialized)
enum Reliability {}
