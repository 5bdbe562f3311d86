import Foundation
import GrantLedger
import NylasAPI
import NylasSandbox
import SandboxTestSupport
@_exported import ProcessTestSupport

typealias Output = ProcessResult

/// Runs the binary to its end in `directory`, reading `stdin` (/dev/null unless given).
func runBinary(
    _ arguments: [String], environment: [String: String] = [:], in directory: String, stdin: FileHandle? = nil
) async throws -> ProcessResult {
    try await runProcess(
        binaryPath(), arguments, environment: environment, in: directory, stdin: stdin.map { .handle($0) } ?? .none)
}

/// The binary pointed at one sandbox, run in a temporary folder of its own.
struct CLI: Sendable {
    let server: SandboxServer
    let key: String
    let directory: String

    /// Runs `bulkgrant <arguments> --api-uri <sandbox>` with `NYLAS_API_KEY` set to `key`
    /// (the sandbox's unless given).
    func run(
        _ arguments: [String], key: String? = nil, environment: [String: String] = [:], stdin: FileHandle? = nil
    ) async throws -> Output {
        var env = environment
        env["NYLAS_API_KEY"] = key ?? self.key
        return try await runBinary(
            arguments + ["--api-uri", server.baseURI], environment: env, in: directory, stdin: stdin)
    }

    /// The ledger path the commands use by default.
    var defaultLedger: String { directory + "/bulkgrant.sqlite" }
}

/// A sandbox (changed by `change`), a client of it, and the binary pointed at it.
func withCLI(
    _ change: (inout SandboxConfiguration) -> Void = { _ in },
    _ body: (CLI, SandboxServer, NylasClient) async throws -> Void
) async throws {
    let configuration = sandboxConfiguration(change)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cmd-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try await withSandbox(configuration) { server, client in
        try await body(CLI(server: server, key: configuration.apiKey, directory: directory), server, client)
    }
}

/// Whether `text` names a Nylas request id the way the error lines print it.
func namesRequestID(_ text: String) -> Bool {
    text.contains(/\[request_id [0-9a-f-]{36}\]/)
}

/// Writes a ledger at `path` bound to `server` in which each user is granted with its grant id.
func writeLedger(_ path: String, server: SandboxServer, users: [(email: String, grantID: String)]) async throws {
    let ledger = try Ledger.open(path: path, apiIdentity: try APIEndpoint(server.baseURI).identity, logger: quietLogger)
    let runID = try await ledger.startRun(
        RunRecord(startedAt: Date().timeIntervalSince1970, pid: getpid(), inputPath: nil, inputSHA256: nil, options: nil))
    let ids = try await ledger.insertPending(emails: users.map(\.email), provider: "google", runID: runID)
    try await ledger.apply(users.map { UserUpdate(userID: ids[$0.email]!, state: .granted, grantID: $0.grantID) })
    try ledger.close()
}

/// Every user's state in a ledger file, by email.
func ledgerStates(_ path: String) async throws -> [String: UserState] {
    let ledger = try Ledger.openReadOnly(path: path, logger: quietLogger)
    defer { try? ledger.close() }
    var states: [String: UserState] = [:]
    for record in try await ledger.records() { states[record.email] = record.state }
    return states
}

/// A pseudo-terminal whose slave end can be a child's standard input, so that the child sees a
/// person at a terminal; what is written to `master` is what that person types.
final class PseudoTerminal: Sendable {
    let master: Int32
    let slave: FileHandle

    init() throws {
        // posix_openpt and friends are XSI, which the Glibc module does not export: look them up.
        let master = PTY.openpt(O_RDWR | O_NOCTTY)
        var name = [CChar](repeating: 0, count: 128)
        guard master >= 0, PTY.grantpt(master) == 0, PTY.unlockpt(master) == 0,
            PTY.ptsname_r(master, &name, name.count) == 0
        else { throw CocoaError(.fileReadUnknown) }
        let slave = open(String(cString: name), O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw CocoaError(.fileReadUnknown) }
        self.master = master
        self.slave = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
    }

    /// Types `text`; the terminal hands it to the reader line by line.
    func type(_ text: String) {
        _ = text.withCString { write(master, $0, strlen($0)) }
    }

    func close() {
        try? slave.close()
        closeDescriptor(master)
    }
}

/// The C pseudo-terminal calls, found at run time.
private enum PTY {
    static func symbol<T>(_ name: String, as type: T.Type) -> T {
        unsafeBitCast(dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)!, to: type)
    }
    static let openpt = symbol("posix_openpt", as: (@convention(c) (Int32) -> Int32).self)
    static let grantpt = symbol("grantpt", as: (@convention(c) (Int32) -> Int32).self)
    static let unlockpt = symbol("unlockpt", as: (@convention(c) (Int32) -> Int32).self)
    static let ptsname_r = symbol(
        "ptsname_r", as: (@convention(c) (Int32, UnsafeMutablePointer<CChar>, Int) -> Int32).self)
}

// File scope, where `close` is the C function rather than the method.
private func closeDescriptor(_ fd: Int32) { _ = close(fd) }

/// The JSON of `grants list --format json`.
struct GrantListJSON: Decodable {
    var data: [Grant]
    var count: Int
}
