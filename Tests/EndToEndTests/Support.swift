import Foundation
import GrantLedger
import Logging
import NylasAPI
import NylasSandbox
@_exported import ProcessTestSupport

/// Runs the binary to its end.
func runBinary(
    _ arguments: [String], environment: [String: String] = [:], in directory: String, pid: PIDBox? = nil
) async throws -> ProcessResult {
    try await runProcess(binaryPath(), arguments, environment: environment, in: directory, pid: pid)
}

/// Writes an export of `count` users (plus `rejected` users at a domain the sandbox refuses).
func writeExport(_ directory: String, count: Int, rejected: [String] = [], name: String = "export.csv") throws -> String {
    var lines = ["Name,Email,Status"]
    for index in 0..<count {
        lines.append("\"User, \(index)\",user\(index)@acme.example,Active")
    }
    for email in rejected { lines.append("Contractor,\(email),Active") }
    let path = directory + "/" + name
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

let sandboxKey = "e2e-sandbox-key"
let credentialID = "cred-e2e"
let quietLogger: Logger = {
    var logger = Logger(label: "e2e")
    logger.logLevel = .critical
    return logger
}()

/// A sandbox with the test credential, and the given faults.
func startSandbox(
    rateLimit: Double = 0, faults: FaultPlan = FaultPlan(), rejected: Set<String> = [],
    observer: (@Sendable (SandboxEvent) -> Void)? = nil
) async throws -> SandboxServer {
    var configuration = SandboxConfiguration()
    configuration.apiKey = sandboxKey
    configuration.rateLimit = rateLimit
    configuration.faults = faults
    configuration.rejectedDomains = rejected
    configuration.seedCredentials = [.init(provider: .google, id: credentialID, name: "e2e")]
    configuration.observer = observer
    // Seeded fault draws: which calls fail depends on their order only, not on a new draw.
    configuration.randomSeed = 13
    return try await SandboxServer.start(configuration, logger: quietLogger)
}

/// The `run` arguments against `server`.
func runArguments(_ input: String, ledger: String, server: SandboxServer, extra: [String] = []) -> [String] {
    [
        "run", input, "--provider", "google", "--credential-id", credentialID,
        "--scope", "https://www.googleapis.com/auth/calendar", "--ledger", ledger, "--api-uri", server.baseURI,
        "--no-progress",
    ] + extra
}

/// Every user's state in a ledger file, by email.
func ledgerStates(_ path: String) async throws -> [String: UserState] {
    let ledger = try Ledger.openReadOnly(path: path, logger: quietLogger)
    defer { try? ledger.close() }
    var states: [String: UserState] = [:]
    for record in try await ledger.records() { states[record.email] = record.state }
    return states
}
