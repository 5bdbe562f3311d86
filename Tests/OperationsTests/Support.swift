import Foundation
import GrantLedger
import Logging
import NylasAPI
import NylasSandbox
import Provisioning
@_exported import ProcessTestSupport

/// Runs the binary to its end with the sandbox's key, unless `environment` says otherwise.
func runBinary(_ arguments: [String], environment: [String: String] = [:], in directory: String) async throws
    -> ProcessResult
{
    try await runProcess(
        binaryPath(), arguments, environment: ["NYLAS_API_KEY": sandboxKey].merging(environment) { $1 },
        in: directory)
}

/// `user<i>@acme.example` for each index.
func addresses(_ indices: some Sequence<Int>, domain: String = "acme.example") -> [String] {
    indices.map { "user\($0)@\(domain)" }
}

/// Writes a CSV export with a header and these addresses.
@discardableResult
func writeExport(_ directory: String, _ emails: [String], name: String = "export.csv") throws -> String {
    var lines = ["Name,Email,Status"]
    for (index, email) in emails.enumerated() { lines.append("\"Person, \(index)\",\(email),Active") }
    let path = directory + "/" + name
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

let sandboxKey = "ops-sandbox-key-0123456789"
let credentialID = "cred-ops"
let quietLogger: Logger = {
    var logger = Logger(label: "ops")
    logger.logLevel = .critical
    return logger
}()

/// A sandbox with the test credential.
func startSandbox(rejected: Set<String> = [], rateLimit: Double = 0) async throws -> SandboxServer {
    var configuration = SandboxConfiguration()
    configuration.apiKey = sandboxKey
    configuration.rateLimit = rateLimit
    configuration.rejectedDomains = rejected
    configuration.seedCredentials = [
        .init(provider: .google, id: credentialID, name: "ops"),
        .init(provider: .microsoft, id: "cred-ms", name: "ops ms"),
    ]
    return try await SandboxServer.start(configuration, logger: quietLogger)
}

/// The `run` arguments against `server`.
func runArguments(_ input: String, ledger: String, server: SandboxServer, _ extra: [String] = []) -> [String] {
    [
        "run", input, "--provider", "google", "--credential-id", credentialID,
        "--scope", "https://www.googleapis.com/auth/calendar", "--ledger", ledger, "--api-uri", server.baseURI,
        "--no-progress", "--rate", "2000",
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

/// Decodes the one JSON object a `--json` command printed.
func jsonObject(_ text: String) throws -> [String: Any] {
    let data = Data(text.utf8)
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw TestFailure("not a JSON object: \(text.prefix(500))")
    }
    return object
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Calls the sandbox answered for mutating methods, by `METHOD path`.
func mutatingCalls(_ stats: SandboxStats) -> [String: Int] {
    var result: [String: Int] = [:]
    for call in stats.calls where call.method != "GET" && call.method != "HEAD" {
        result["\(call.method) \(call.path)", default: 0] += call.count
    }
    return result
}

/// `after − before`, dropping zeros.
func delta(_ after: [String: Int], _ before: [String: Int]) -> [String: Int] {
    var result: [String: Int] = [:]
    for key in Set(after.keys).union(before.keys) {
        let value = (after[key] ?? 0) - (before[key] ?? 0)
        if value != 0 { result[key] = value }
    }
    return result
}

/// The bytes of the ledger file (not its -wal or -shm).
func fileBytes(_ path: String) throws -> Data {
    try Data(contentsOf: URL(fileURLWithPath: path))
}

/// Opens a ledger for a test to set states by hand (the lock is held until `close`).
func withLedger<T>(_ path: String, _ body: (Ledger) async throws -> T) async throws -> T {
    let ledger = try Ledger.open(path: path, apiIdentity: "loopback-sandbox", logger: quietLogger)
    do {
        let value = try await body(ledger)
        try ledger.close()
        return value
    } catch {
        try? ledger.close()
        throw error
    }
}
