import Foundation
@testable import GrantLedger
import Logging
import Provisioning
import Testing

/// Collects the lines a JSON sink writes.
final class LineBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}

@Suite("report cells, JSON log lines and the metrics textfile")
struct FormatTests {
    static func record(
        email: String = "ann@acme.example", state: UserState = .failed, message: String? = "Unable, \"really\""
    ) -> UserRecord {
        UserRecord(
            id: 1, provider: "google", email: email, organisation: "", state: state, grantID: "g-1",
            credentialID: nil, attempts: 3, lastStatus: 400, lastErrorType: "api.invalid_request_error",
            lastErrorMessage: message, lastRequestID: "req-1", firstSeenRun: 1, lastSeenRun: 2, updatedAt: 0)
    }

    @Test("formula-looking cells get a leading apostrophe", arguments: ["=1+1", "+33 1", "-2", "@SUM(A1)", "\tx", "\rx"])
    func neutralised(_ cell: String) {
        #expect(UserReport.neutralise(cell) == "'" + cell)
    }

    @Test("ordinary cells are left alone", arguments: ["ann@acme.example", "1", "", "a=b", "x-1", "'quoted"])
    func untouched(_ cell: String) {
        #expect(UserReport.neutralise(cell) == cell)
    }

    @Test("a CSV line: RFC 4180 quoting, neutralised error messages, and a flag for a neutralised address")
    func csvLine() {
        let (line, flagged) = UserReport.csvLine(Self.record())
        #expect(
            line
                == "ann@acme.example,google,failed,g-1,3,400,api.invalid_request_error,\"Unable, \"\"really\"\"\",req-1,1970-01-01T00:00:00Z,,\r\n")
        #expect(!flagged)
        let (evil, evilFlagged) = UserReport.csvLine(Self.record(email: "-x@acme.example", message: "=HYPERLINK(\"http://e\")"))
        #expect(evil.hasPrefix("'-x@acme.example,"))
        #expect(evil.contains(",\"'=HYPERLINK(\"\"http://e\"\")\","))
        #expect(evilFlagged)
        #expect(UserReport.csvHeader.hasPrefix("email,provider,state,grant_id,attempts,"))
    }

    @Test("a JSON report row keeps every key, with nulls")
    func jsonRow() throws {
        var record = Self.record(message: nil)
        record.grantID = nil
        let object = try jsonObject(UserReport.jsonObject(record))
        #expect(object["email"] as? String == "ann@acme.example")
        #expect(object["grant_id"] is NSNull)
        #expect(object["last_error_message"] is NSNull)
        #expect(object["attempts"] as? Int == 3)
        #expect(Set(object.keys) == Set(UserReport.columns))
    }

    @Test("JSON log lines: one object per line, dotted keys, nested metadata flattened, secrets redacted")
    func jsonLog() throws {
        let box = LineBox()
        let sink = JSONLogSink { box.append($0) }
        sink.redact("sk-very-secret-key")
        var logger = Logger(label: "bulkgrant") { label in JSONLogHandler(label: label, sink: sink) }
        logger.logLevel = .debug
        logger[metadataKey: "run.id"] = "7"
        logger.debug(
            "call failed\nwith sk-very-secret-key",
            metadata: [
                "user.email": "ann@acme.example", "http.status": "403",
                "nylas": .dictionary(["request_id": "req-9", "error": .dictionary(["type": "grant.access_denied"])]),
                "message": "collides",
            ])
        let lines = box.lines
        #expect(lines.count == 1)
        #expect(lines[0].hasSuffix("\n"))
        #expect(lines[0].dropLast().contains("\n") == false)
        #expect(!lines[0].contains("sk-very-secret-key"))
        let object = try jsonObject(String(lines[0].dropLast()))
        #expect(object["level"] as? String == "debug")
        #expect(object["logger"] as? String == "bulkgrant")
        #expect(object["message"] as? String == "call failed\nwith [redacted]")
        #expect(object["user.email"] as? String == "ann@acme.example")
        #expect(object["http.status"] as? String == "403")
        #expect(object["nylas.request_id"] as? String == "req-9")
        #expect(object["nylas.error.type"] as? String == "grant.access_denied")
        #expect(object["run.id"] as? String == "7")
        #expect(object["metadata.message"] as? String == "collides")
        #expect(object["ts"] is String)
    }

    @Test("metrics: Prometheus text with the required families, counts only")
    func metricsText() {
        let metrics = RunMetrics(
            provider: "google", finishedAt: 1_700_000_000, durationSeconds: 12.5, exitCode: 1,
            states: [.granted: 990, .failed: 3, .revoked: 10], outcomes: ["granted": 35, "revoked": 10],
            calls: [
                CallCount(call: "POST /v3/connect/custom", status: 201, count: 30),
                CallCount(call: "POST /v3/connect/custom", status: 429, count: 4),
                CallCount(call: "DELETE /v3/grants/{grantId}", status: 200, count: 10),
            ], rateLimited: 4)
        let text = metrics.render()
        #expect(text.contains("bulkgrant_last_run_timestamp_seconds{provider=\"google\"} 1700000000.000\n"))
        #expect(text.contains("bulkgrant_last_run_duration_seconds{provider=\"google\"} 12.500\n"))
        #expect(text.contains("bulkgrant_last_run_exit_code{provider=\"google\"} 1\n"))
        #expect(text.contains("bulkgrant_users{provider=\"google\",state=\"granted\"} 990\n"))
        #expect(text.contains("bulkgrant_users{provider=\"google\",state=\"in_flight\"} 0\n"))
        #expect(
            text.contains(
                "bulkgrant_last_run_api_calls{provider=\"google\",method=\"POST\",path=\"/v3/connect/custom\",status=\"429\"} 4\n"))
        #expect(text.contains("bulkgrant_last_run_rate_limited_calls{provider=\"google\"} 4\n"))
        #expect(text.contains("bulkgrant_last_run_users{provider=\"google\",outcome=\"revoked\"} 10\n"))
        #expect(!text.contains("@"))
        // Every sample line belongs to a declared gauge.
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            #expect(text.contains("# TYPE \(name) gauge"))
        }
    }

    @Test("metrics are written through a temporary file and a rename, readable by the collector")
    func metricsFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/bulkgrant.prom"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        let metrics = RunMetrics(provider: "google", finishedAt: 1, durationSeconds: 2, exitCode: 0)
        try metrics.write(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == metrics.render())
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["bulkgrant.prom"])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o644)
        #expect(throws: MetricsFileError.self) { try metrics.write(to: dir + "/missing/folder/x.prom") }
    }
}
