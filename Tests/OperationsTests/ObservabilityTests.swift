import Foundation
import GrantLedger
import NylasSandbox
import Testing

/// `--log-format json` and `--metrics-file`, through the built binary.
@Suite("logs and metrics", .serialized)
struct ObservabilityTests {
    @Test("--log-format json: every standard error line is a JSON object with dotted keys, and the API key is nowhere")
    func jsonLogs() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox(rejected: ["contractors.example"])
        defer { Task { await server.stop() } }
        let input = try writeExport(dir, addresses(0..<20) + ["bob@contractors.example"] + ["not an address"])
        let ledger = dir + "/ledger.sqlite"
        let result = try await runBinary(
            runArguments(input, ledger: ledger, server: server, ["--log-format", "json", "--log-level", "debug"]), in: dir)
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count > 20)
        var keys = Set<String>()
        for line in lines {
            let object = try jsonObject(line)
            #expect(object["ts"] is String && object["level"] is String && object["message"] is String, "\(line)")
            keys.formUnion(object.keys)
        }
        #expect(keys.isSuperset(of: ["user.email", "http.status", "nylas.request_id", "http.path", "plan.new"]), "\(keys.sorted())")
        // The rejected row is a JSON warning too.
        #expect(lines.contains { $0.contains("\"level\":\"warning\"") && $0.contains("rejected line") })
        #expect(!result.stderr.contains(sandboxKey))
        #expect(!result.stdout.contains(sandboxKey))

        // A refusal reaches standard error as a JSON error line.
        let short = try writeExport(dir, addresses(0..<2), name: "short.csv")
        let refused = try await runBinary(
            runArguments(short, ledger: ledger, server: server, ["--log-format", "json", "--revoke-departed"]), in: dir)
        #expect(refused.status == 3)
        let errors = try refused.stderr.split(separator: "\n").map { try jsonObject(String($0)) }
            .filter { $0["level"] as? String == "error" }
        #expect(errors.contains { ($0["message"] as? String)?.contains("--force") == true })
    }

    @Test("--metrics-file: timestamp, duration, exit code, users per state, calls per status and 429s; no address or grant id; rewritten on a refusal and on a locked ledger")
    func metricsFile() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await startSandbox(rejected: ["contractors.example"], rateLimit: 20)
        defer { Task { await server.stop() } }
        let textfiles = dir + "/textfile"
        try FileManager.default.createDirectory(atPath: textfiles, withIntermediateDirectories: true)
        let metricsPath = textfiles + "/bulkgrant.prom"
        let input = try writeExport(dir, addresses(0..<150) + ["bob@contractors.example"])
        let ledger = dir + "/ledger.sqlite"
        let started = Date().timeIntervalSince1970
        let result = try await runBinary(
            runArguments(input, ledger: ledger, server: server, ["--metrics-file", metricsPath, "--json"]), in: dir)
        #expect(result.status == 1, "stderr: \(result.stderr)")
        let text = try String(contentsOfFile: metricsPath, encoding: .utf8)
        let samples = Self.samples(text)
        let timestamp = try #require(samples["bulkgrant_last_run_timestamp_seconds{provider=\"google\"}"])
        #expect(timestamp >= started && timestamp <= Date().timeIntervalSince1970 + 1)
        #expect((samples["bulkgrant_last_run_duration_seconds{provider=\"google\"}"] ?? -1) > 0)
        #expect(samples["bulkgrant_last_run_exit_code{provider=\"google\"}"] == 1)
        #expect(samples["bulkgrant_users{provider=\"google\",state=\"granted\"}"] == 150)
        #expect(samples["bulkgrant_users{provider=\"google\",state=\"failed\"}"] == 1)
        #expect(
            samples["bulkgrant_last_run_api_calls{provider=\"google\",method=\"POST\",path=\"/v3/connect/custom\",status=\"201\"}"]
                == 150)
        #expect(
            samples["bulkgrant_last_run_api_calls{provider=\"google\",method=\"POST\",path=\"/v3/connect/custom\",status=\"400\"}"]
                == 1)
        // The sandbox allows 20/s against a client asking for 2,000/s: some 429s, counted both ways.
        let stats = await server.state.stats()
        let throttled = samples["bulkgrant_last_run_rate_limited_calls{provider=\"google\"}"] ?? -1
        #expect(throttled > 0 && Int(throttled) == stats.rateLimited)
        let report = try jsonObject(result.stdout)
        #expect(report["rate_limited"] as? Int == Int(throttled))
        #expect(!text.contains("@"))
        for record in try await ledgerRecords(ledger).values {
            if let grant = record.grantID { #expect(!text.contains(grant)) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: textfiles) == ["bulkgrant.prom"])
        #expect(try FileManager.default.attributesOfItem(atPath: metricsPath)[.posixPermissions] as? Int == 0o644)

        // A dry run leaves the metrics of the last real run alone.
        let real = try String(contentsOf: URL(fileURLWithPath: metricsPath), encoding: .utf8)
        let dry = try await runBinary(
            runArguments(input, ledger: ledger, server: server, ["--metrics-file", metricsPath, "--dry-run"]), in: dir)
        #expect(dry.status == 0)
        #expect(dry.stderr.contains("--metrics-file is left as it is by --dry-run"))
        #expect(try String(contentsOf: URL(fileURLWithPath: metricsPath), encoding: .utf8) == real)

        // A refused run is visible to the alerting too.
        let short = try writeExport(dir, addresses(0..<10), name: "short.csv")
        let refused = try await runBinary(
            runArguments(short, ledger: ledger, server: server, ["--metrics-file", metricsPath, "--revoke-departed"]), in: dir)
        #expect(refused.status == 3)
        #expect(Self.samples(try String(contentsOfFile: metricsPath, encoding: .utf8))["bulkgrant_last_run_exit_code{provider=\"google\"}"] == 3)

        // So is a run that could not even take the ledger.
        let locked = try await withLedger(ledger) { _ in
            try await runBinary(runArguments(input, ledger: ledger, server: server, ["--metrics-file", metricsPath]), in: dir)
        }
        #expect(locked.status == 3)
        let lockedText = try String(contentsOfFile: metricsPath, encoding: .utf8)
        #expect(Self.samples(lockedText)["bulkgrant_last_run_exit_code{provider=\"google\"}"] == 3)
        #expect(!lockedText.contains("bulkgrant_users{"))
    }

    /// `name{labels}` → value.
    static func samples(_ text: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            result[String(line[..<space])] = value
        }
        return result
    }
}
