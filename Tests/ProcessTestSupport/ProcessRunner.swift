import Foundation

/// Runs the built `bulkgrant` (or any program) to its end for the test targets that drive the
/// binary: EndToEnd, Operations, Commands and Reliability. One library, because test targets
/// cannot import one another.

/// The package's root folder.
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The built `bulkgrant` binary, beside the test bundle.
public func binaryPath() -> String {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bulkgrant").path,
        Bundle.main.bundleURL.appendingPathComponent("bulkgrant").path,
        packageRoot + "/.build/debug/bulkgrant",
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
}

/// What a run of a process wrote and how it ended.
public struct ProcessResult: Sendable {
    public var status: Int32
    /// Ended by a signal (`status` is then the signal number).
    public var killed: Bool
    public var stdoutData: Data
    public var stderrData: Data
    public var seconds: Double

    public init(status: Int32, killed: Bool, stdoutData: Data, stderrData: Data, seconds: Double) {
        self.status = status
        self.killed = killed
        self.stdoutData = stdoutData
        self.stderrData = stderrData
        self.seconds = seconds
    }

    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    public var stderr: String { String(decoding: stderrData, as: UTF8.self) }
    /// Both streams, for messages whose stream does not matter.
    public var all: String { stdout + stderr }
    /// Both streams, for messages in failed expectations.
    public var transcript: String {
        "exit \(status)\(killed ? " (signal)" : "")\n--- stdout\n\(stdout.suffix(3000))\n--- stderr\n\(stderr.suffix(3000))"
    }

    /// A crash rather than an answer: a signal, or the Swift runtime's crash banner.
    public var crashed: Bool {
        killed || stderr.contains("Fatal error") || stderr.contains("Crash") || stderr.contains("Segmentation fault")
            || stderr.contains("Illegal instruction")
    }
}

/// The pid of a process being run, for whoever must signal it at an exact point.
public final class PIDBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int32 = 0
    private var killed = false

    public init() {}

    public var pid: Int32 { lock.withLock { value } }
    public func set(_ pid: Int32) { lock.withLock { value = pid } }

    /// SIGKILLs the process once; later calls do nothing.
    public func killOnce() {
        lock.withLock {
            guard !killed, value > 0 else { return }
            killed = true
            kill(value, SIGKILL)
        }
    }
}

/// What a run reads on standard input.
public enum ProcessInput: Sendable {
    case none
    case text(String)
    case handle(FileHandle)
}

/// Runs `executable` to its end, with output in files (a pipe could fill and block it).
///
/// The environment is this process's without any `NYLAS_*` variable (so a developer's real key
/// never reaches a test), plus `environment`.
/// - Parameter lowPriority: run under `nice -n 10`, for suites whose many runs must not starve
///   other tests' in-process sandboxes. `nice` execs the program, so pid, signals and exit
///   status stay the program's own.
public func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:], in directory: String,
    stdin: ProcessInput = .none, pid: PIDBox? = nil, lowPriority: Bool = false
) async throws -> ProcessResult {
    let process = Process()
    if lowPriority, let nice = niceTool {
        process.executableURL = URL(fileURLWithPath: nice)
        process.arguments = ["-n", "10", executable] + arguments
    } else {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
    }
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NYLAS_") }
    env["SWIFT_BACKTRACE"] = "enable=no"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let id = UUID().uuidString
    let outPath = directory + "/.stdout-\(id)"
    let errPath = directory + "/.stderr-\(id)"
    let inPath = directory + "/.stdin-\(id)"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    defer {
        for path in [outPath, errPath, inPath] { try? FileManager.default.removeItem(atPath: path) }
    }
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    process.standardOutput = out
    process.standardError = err
    switch stdin {
    case .none:
        process.standardInput = FileHandle.nullDevice
    case .text(let text):
        _ = FileManager.default.createFile(atPath: inPath, contents: Data(text.utf8))
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
    case .handle(let handle):
        process.standardInput = handle
    }
    let finished = AsyncStream<Void>.makeStream()
    process.terminationHandler = { _ in finished.continuation.finish() }
    let started = ContinuousClock.now
    try process.run()
    pid?.set(process.processIdentifier)
    for await _ in finished.stream {}
    process.waitUntilExit()
    let seconds = (ContinuousClock.now - started) / .seconds(1)
    try out.close()
    try err.close()
    return ProcessResult(
        status: process.terminationStatus, killed: process.terminationReason == .uncaughtSignal,
        stdoutData: (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data(),
        stderrData: (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data(), seconds: seconds)
}

let niceTool = ["/usr/bin/nice", "/bin/nice"].first(where: FileManager.default.isExecutableFile)

/// A new temporary folder for one test; the caller removes it.
public func temporaryDirectory(prefix: String = "test") throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
