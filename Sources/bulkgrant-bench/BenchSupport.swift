import Foundation
import GrantLedger
import Logging
import NylasAPI
import NylasSandbox
import Provisioning

/// Shared plumbing of the scenarios: temporary folders, exports, in-process runs, and runs of
/// the real `bulkgrant` binary for the scenarios that measure a whole process.
enum Bench {
    static let key = "bench-key"
    static let credential = "bench-credential"

    static var logger: Logger {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        return logger
    }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// An export of `count` users, written in large chunks.
    static func writeExport(_ path: String, count: Int) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var chunk = "Full Name,Department,Email,Status\n"
        for index in 0..<count {
            chunk += "\"User, \(index)\",Engineering,\(email(index)),Active\n"
            if chunk.utf8.count > 1 << 20 {
                handle.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        handle.write(Data(chunk.utf8))
    }

    static func email(_ index: Int) -> String { "user\(index)@bench.example" }

    static func sandbox(
        rateLimit: Double, latencyMs: ClosedRange<Double>, tenant: SandboxTenant = SandboxTenant()
    ) async throws -> SandboxServer {
        var configuration = SandboxConfiguration()
        configuration.tenant = tenant
        configuration.apiKey = key
        configuration.rateLimit = rateLimit
        configuration.faults.latencyMs = latencyMs
        configuration.seedCredentials = [.init(provider: .google, id: credential, name: "bench")]
        return try await SandboxServer.start(configuration, logger: logger)
    }

    /// One provisioning run in this process, through the same code as `bulkgrant run`.
    static func provision(
        users: Int, server: SandboxServer, configure: (inout EngineConfiguration) -> Void
    ) async throws -> (report: RunReport, ledgerBusy: Double, commits: Int) {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = dir + "/export.csv"
        try writeExport(input, count: users)
        var engine = EngineConfiguration(provider: .google, credentialID: credential)
        engine.scopes = ["https://www.googleapis.com/auth/calendar"]
        configure(&engine)
        var clientConfiguration = NylasClientConfiguration(endpoint: try APIEndpoint(server.baseURI), apiKey: APIKey(key))
        clientConfiguration.maxConnections = engine.concurrency
        let client = NylasClient(configuration: clientConfiguration, logger: logger)
        let ledger = try Ledger.open(path: dir + "/ledger.sqlite", apiIdentity: "loopback-sandbox", logger: logger)
        let report = try await ProvisioningRun(
            options: RunOptions(inputPath: input, engine: engine), client: client, ledger: ledger,
            control: RunControl(), logger: logger
        ).execute()
        let statistics = await ledger.writerStatistics()
        try ledger.close()
        try await client.shutdown()
        return (report, statistics.busySeconds, statistics.commits)
    }

    /// The `bulkgrant` binary built beside this one.
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("bulkgrant").path
    }

    /// Runs the binary under `/usr/bin/time -v`; returns wall seconds, peak RSS in MB and output.
    static func timedBinary(_ arguments: [String], in dir: String) throws -> (wall: Double, rssMB: Double, stdout: String) {
        let process = Process()
        let useTime = FileManager.default.isExecutableFile(atPath: "/usr/bin/time")
        process.executableURL = URL(fileURLWithPath: useTime ? "/usr/bin/time" : binary)
        process.arguments = useTime ? ["-v", binary] + arguments : arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NYLAS_API_KEY"] = key
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let started = ContinuousClock.now
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let wall = (ContinuousClock.now - started) / .seconds(1)
        let errText = String(decoding: stderr, as: UTF8.self)
        var rss = 0.0
        if let line = errText.split(separator: "\n").first(where: { $0.contains("Maximum resident set size") }),
            let kilobytes = Double(line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "")
        {
            rss = kilobytes / 1024
        }
        return (wall, rss, String(decoding: stdout, as: UTF8.self))
    }
}

/// One line of the benchmark's output.
struct BenchLine {
    var name: String
    var figure: String
    var ideal: String
    var ratio: Double
    var target: String
    var pass: Bool
    var note: String = ""

    var text: String {
        "\(pass ? "PASS" : "MISS")  \(name): \(figure) vs \(ideal): ratio \(String(format: "%.3f", ratio)) (target \(target))"
            + (note.isEmpty ? "" : " · " + note)
    }
}
