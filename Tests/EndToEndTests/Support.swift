import Foundation
import GrantLedger
import Logging
import NylasAPI
import NylasSandbox

/// The built `bulkgrant` binary, beside the test bundle.
func binaryPath() -> String {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bulkgrant").path,
        Bundle.main.bundleURL.appendingPathComponent("bulkgrant").path,
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/bulkgrant").path,
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
}

/// What a run of the binary printed and how it ended.
struct BinaryResult: Sendable {
    var status: Int32
    var killed: Bool
    var stdout: String
    var stderr: String
}

/// The pid of the binary being run, for an observer that kills it at an exact point.
final class PIDBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int32 = 0
    private var killed = false

    var pid: Int32 { lock.withLock { value } }
    func set(_ pid: Int32) { lock.withLock { value = pid } }

    /// SIGKILLs the process once; later calls do nothing.
    func killOnce() {
        lock.withLock {
            guard !killed, value > 0 else { return }
            killed = true
            kill(value, SIGKILL)
        }
    }
}

/// Runs the binary to its end, with output in files (a pipe could fill and block it).
func runBinary(
    _ arguments: [String], environment: [String: String] = [:], in directory: String, pid: PIDBox? = nil
) async throws -> BinaryResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binaryPath())
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["SWIFT_BACKTRACE"] = "enable=no"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let id = UUID().uuidString
    let outPath = directory + "/stdout-\(id)"
    let errPath = directory + "/stderr-\(id)"
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    let finished = AsyncStream<Void>.makeStream()
    process.terminationHandler = { _ in finished.continuation.finish() }
    try process.run()
    pid?.set(process.processIdentifier)
    for await _ in finished.stream {}
    process.waitUntilExit()
    try out.close()
    try err.close()
    let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return BinaryResult(
        status: process.terminationStatus, killed: process.terminationReason == .uncaughtSignal,
        stdout: stdout, stderr: stderr)
}

/// A temporary folder for one test.
func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
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
